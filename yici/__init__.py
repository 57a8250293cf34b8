"""The composition root: the `yici` command, the runner that starts services, and the deployment tooling.

Layers, each importing only the ones below it: `shared` (the kernel) < `services` < `yici`.
"""
