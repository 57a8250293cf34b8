"""Small graph helpers over prerequisite edges: {item: [items it needs first]}."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

Edges = Mapping[str, Sequence[str]]


class CycleError(ValueError):
    """The prerequisite graph has a cycle, so no order or critical path exists."""

    def __init__(self, cycle: list[str]):
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def find_cycle(edges: Edges) -> list[str] | None:
    """One cycle as [a, b, …, a], or None."""
    state: dict[str, str] = {}
    for start in edges:
        cycle = _visit(start, edges, state, [])
        if cycle:
            return cycle
    return None


def _visit(node: str, edges: Edges, state: dict[str, str], trail: list[str]) -> list[str] | None:
    if state.get(node) == "open":
        return trail[trail.index(node):] + [node]
    if state.get(node) == "done":
        return None
    state[node] = "open"
    for before in edges.get(node, ()):
        cycle = _visit(before, edges, state, trail + [node])
        if cycle:
            return cycle
    state[node] = "done"
    return None


def longest_path(weights: Mapping[str, int], edges: Edges) -> tuple[int, list[str]]:
    """The heaviest chain of prerequisites (total weight, items first to last); raises CycleError."""
    cycle = find_cycle(edges)
    if cycle:
        raise CycleError(cycle)
    best: dict[str, tuple[int, list[str]]] = {}
    for node in weights:
        _heaviest_to(node, weights, edges, best)
    return max(best.values(), key=lambda found: found[0], default=(0, []))


def _heaviest_to(node: str, weights: Mapping[str, int], edges: Edges,
                 best: dict[str, tuple[int, list[str]]]) -> tuple[int, list[str]]:
    if node not in best:
        before = [_heaviest_to(p, weights, edges, best) for p in edges.get(node, ()) if p in weights]
        days, path = max(before, key=lambda found: found[0], default=(0, list[str]()))
        best[node] = (days + weights[node], path + [node])
    return best[node]


def strongly_connected(edges: Edges) -> list[set[str]]:
    """Components that contain a cycle (more than one node, or a node needing itself)."""
    order: list[str] = []
    seen: set[str] = set()
    for node in edges:
        _post_order(node, edges, seen, order)
    reverse: dict[str, list[str]] = {}
    for node, befores in edges.items():
        for before in befores:
            reverse.setdefault(before, []).append(node)
    components: list[set[str]] = []
    assigned: set[str] = set()
    for node in reversed(order):
        if node not in assigned:
            component: list[str] = []
            _post_order(node, reverse, assigned, component)
            components.append(set(component))
    return [c for c in components if len(c) > 1 or any(n in edges.get(n, ()) for n in c)]


def _post_order(node: str, edges: Edges, seen: set[str], out: list[str]) -> None:
    if node in seen:
        return
    seen.add(node)
    for before in edges.get(node, ()):
        _post_order(before, edges, seen, out)
    out.append(node)
