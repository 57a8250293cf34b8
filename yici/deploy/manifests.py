"""Kubernetes objects generated from the topology, the catalog and deploy/config/distributed.yaml.

Per service: Deployment (migrate init container, probes, graceful shutdown), Service, PodDisruptionBudget
and an autoscaler (HPA on CPU for the HTTP edge, KEDA on queue depth for consumers). Broker: the
topology and users as RabbitMQ Messaging Topology Operator objects. Secrets: placeholders only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from shared import topology
from shared.config import REPO_ROOT, SERVICES, load_settings

from . import access
from .definitions import definitions

NAMESPACE = "yici"
IMAGE = "yici:0.1.0"
RABBITMQ = "yici-rabbitmq"
RABBITMQ_HOST = f"{RABBITMQ}.{NAMESPACE}.svc"
DATABASE = "yici-db"
PLACEHOLDER = "REPLACE-ME-see-deploy-README"
CLUSTER_REF = {"name": RABBITMQ}
GRACE_SECONDS = 60


@dataclass(frozen=True)
class Scaling:
    minimum: int
    maximum: int
    queue: str | None = None   # KEDA on this queue's depth (a regex when it starts with ^)
    cpu: bool = False           # also (or only, without a queue) on CPU


def _approval_queues_regex() -> str:
    """yici.approval, yici.approval.decisions, every department's and unit's queue; no dead letters."""
    return r"^yici\.(approval(\.decisions)?|department\.[a-z0-9-]+(\.[0-9]+)?)$"


SCALING = {
    "intake": Scaling(2, 20, cpu=True),
    "routing": Scaling(2, 10, queue=topology.service_queues()["routing"].name),
    "approval": Scaling(2, 10, queue=_approval_queues_regex(), cpu=True),
    "delivery": Scaling(2, 6, queue=topology.service_queues()["delivery"].name),
    "oversight": Scaling(2, 10, queue=topology.service_queues()["oversight"].name),
}
RESOURCES = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
QUEUE_LENGTH_TARGET = "200"


ENV_FROM = [{"configMapRef": {"name": "yici-config"}}, {"secretRef": {"name": "yici-api-tokens"}}]
# oversight alone signs staff sessions: only its pods get the private key
STAFF_SIGNING_SECRET = "yici-staff-signing-key"
STAFF_SIGNING_VARIABLE = "YICI_STAFF_SIGNING_KEY"


def env_from(service: str) -> list[dict]:
    return ENV_FROM + ([{"secretRef": {"name": STAFF_SIGNING_SECRET}}] if service == "oversight" else [])


def token_variables() -> list[str]:
    """The bearer-token variables deploy/config/distributed.yaml reads (YICI_API_TOKEN, YICI_CLERK_TOKEN, …), and
    the keys every pod must share: the audit trail's pseudonym key (YICI_AUDIT_SUBJECT_KEY), the material links'
    secret (YICI_FILE_LINK_SECRET) and the public key of staff sessions (YICI_STAFF_PUBLIC_KEY)."""
    text = (REPO_ROOT / "deploy" / "config" / "distributed.yaml").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"\$\{(YICI_[A-Z0-9_]*(?:TOKEN|SUBJECT_KEY|LINK_SECRET|STAFF_PUBLIC_KEY))\b", text)))


def ports() -> dict[str, int]:
    settings = load_settings(REPO_ROOT / "deploy" / "config" / "distributed.yaml", env={})
    return {s: settings.port_for(s) for s in SERVICES}


def labels(service: str) -> dict:
    return {"app.kubernetes.io/name": "yici", "app.kubernetes.io/component": service}


def name(service: str) -> str:
    return f"yici-{service}"


def service_objects(service: str) -> list[dict]:
    port = ports()[service]
    objects = [deployment(service, port), _service(service), _pdb(service)]
    scaling = SCALING[service]
    objects.append(scaled_object(service, scaling) if scaling.queue else hpa(service, scaling))
    return objects


def _env(service: str, port: int) -> list[dict]:
    secret = f"yici-broker-{access.service_user(service)}"
    return [
        {"name": f"YICI_{service.upper()}_PORT", "value": str(port)},
        {"name": "YICI_AMQP_URI", "valueFrom": {"secretKeyRef": {"name": secret, "key": "uri"}}},
        {"name": "YICI_DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{DATABASE}-app", "key": "password"}}},
        {"name": "YICI_DATABASE_URL", "value": f"postgresql+psycopg2://yici:$(YICI_DB_PASSWORD)@"
                                               f"{DATABASE}-pooler-rw.{NAMESPACE}.svc:5432/yici"},
    ]


def _migrate_env(service: str, port: int) -> list[dict]:
    """Migrations go straight to the primary, not through the transaction pooler."""
    env = _env(service, port)
    direct = f"postgresql+psycopg2://yici:$(YICI_DB_PASSWORD)@{DATABASE}-rw.{NAMESPACE}.svc:5432/yici"
    return [dict(e, value=direct) if e["name"] == "YICI_DATABASE_URL" else e for e in env]


def _container(service: str, port: int) -> dict:
    probe = {"httpGet": {"path": "/healthz", "port": "http"}}
    return {
        "name": service, "image": IMAGE, "args": ["serve", service],
        "ports": [{"name": "http", "containerPort": port}],
        "envFrom": env_from(service), "env": _env(service, port),
        "startupProbe": dict(probe, periodSeconds=2, failureThreshold=60),
        "livenessProbe": dict(probe, periodSeconds=10, timeoutSeconds=3, failureThreshold=3),
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5,
                           "timeoutSeconds": 3, "failureThreshold": 2},
        # the endpoint leaves the Service before SIGTERM starts the drain
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
        "resources": RESOURCES,
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "var", "mountPath": "/app/var"}],
    }


def deployment(service: str, port: int) -> dict:
    migrate = {"name": "migrate", "image": IMAGE, "args": ["migrate", service],
               "envFrom": ENV_FROM, "env": _migrate_env(service, port),
               "resources": RESOURCES,
               "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                   "capabilities": {"drop": ["ALL"]}},
               "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name(service), "labels": labels(service)},
        "spec": {
            "replicas": SCALING[service].minimum,
            "selector": {"matchLabels": labels(service)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels(service), "annotations": annotations},
                "spec": {
                    "terminationGracePeriodSeconds": GRACE_SECONDS,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                   "whenUnsatisfiable": "ScheduleAnyway",
                                                   "labelSelector": {"matchLabels": labels(service)}}],
                    "initContainers": [migrate],
                    "containers": [_container(service, port)],
                    "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "var", "emptyDir": {}}],
                },
            },
        },
    }


def _service(service: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name(service), "labels": labels(service)},
            "spec": {"selector": labels(service),
                     "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}}


def _pdb(service: str) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name(service), "labels": labels(service)},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(service)}}}


def hpa(service: str, scaling: Scaling) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name(service), "labels": labels(service)},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name(service)},
                     "minReplicas": scaling.minimum, "maxReplicas": scaling.maximum,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}],
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}


def scaled_object(service: str, scaling: Scaling) -> dict:
    if scaling.queue is None:
        raise ValueError(f"{service} scales on CPU only: it gets an HPA, not a KEDA ScaledObject")
    queue = {"protocol": "http", "mode": "QueueLength", "value": QUEUE_LENGTH_TARGET, "vhostName": "/",
             "queueName": scaling.queue}
    if scaling.queue.startswith("^"):
        queue.update(useRegex="true", operation="sum")
    triggers = [{"type": "rabbitmq", "metadata": queue, "authenticationRef": {"name": "yici-rabbitmq-monitor"}}]
    if scaling.cpu:
        triggers.append({"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}})
    return {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": name(service), "labels": labels(service)},
            "spec": {"scaleTargetRef": {"name": name(service)}, "minReplicaCount": scaling.minimum,
                     "maxReplicaCount": scaling.maximum, "pollingInterval": 15, "cooldownPeriod": 300,
                     "advanced": {"horizontalPodAutoscalerConfig": {
                         "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}},
                     "triggers": triggers}}


def _k8s_name(text: str) -> str:
    """A DNS-1123 name: lowercase alphanumerics, '-' and '.'; '#' and '*' spelled out."""
    text = text.lower().replace("#", "all").replace("*", "any").replace("_", "-")
    return re.sub(r"[^a-z0-9.-]", "-", text).strip("-.")


def topology_objects(departments: list[str]) -> list[dict]:
    """The cluster profile's definitions as Exchange, Queue, Binding and Policy objects."""
    doc = definitions("cluster", "/", departments)
    objects = [_crd("Exchange", f"exchange.{e['name']}", {
        "name": e["name"], "vhost": "/", "type": e["type"], "durable": True, "autoDelete": False})
        for e in doc["exchanges"]]
    for q in doc["queues"]:
        arguments = {k: v for k, v in q["arguments"].items() if k != "x-queue-type"}
        spec = {"name": q["name"], "vhost": "/", "type": q["arguments"]["x-queue-type"], "durable": True,
                "autoDelete": False}
        objects.append(_crd("Queue", f"queue.{q['name']}", dict(spec, arguments=arguments) if arguments else spec))
    for b in doc["bindings"]:
        objects.append(_crd("Binding", f"binding.{b['destination']}.{b['routing_key']}", {
            "vhost": "/", "source": b["source"], "destination": b["destination"], "destinationType": "queue",
            "routingKey": b["routing_key"]}))
    for p in doc["policies"]:
        objects.append(_crd("Policy", f"policy.{p['name']}", {
            "name": p["name"], "vhost": "/", "pattern": p["pattern"], "applyTo": p["apply-to"],
            "priority": p["priority"], "definition": p["definition"]}))
    return objects


def user_objects(departments: list[str]) -> list[dict]:
    objects = []
    for grant in access.grants(departments):
        user = f"user.{grant.user}"
        objects.append(_crd("User", user, {"tags": list(grant.tags),
                                           "importCredentialsSecret": {"name": f"yici-broker-{grant.user}"}}))
        objects.append(_crd("Permission", f"permission.{grant.user}", {
            "vhost": "/", "userReference": {"name": user},
            "permissions": {"configure": grant.configure, "write": grant.write, "read": grant.read}}))
        for exchange, write, read in grant.topics:
            objects.append(_crd("TopicPermission", f"topic-permission.{grant.user}.{exchange}", {
                "vhost": "/", "userReference": {"name": user},
                "permissions": {"exchange": exchange, "write": write, "read": read}}))
    return objects


def _crd(kind: str, object_name: str, spec: dict) -> dict:
    return {"apiVersion": "rabbitmq.com/v1beta1", "kind": kind,
            "metadata": {"name": _k8s_name(object_name), "labels": {"app.kubernetes.io/name": "yici"}},
            "spec": dict(spec, rabbitmqClusterReference=CLUSTER_REF)}


def secret_objects(departments: list[str], passwords: dict[str, str] | None = None,
                   tokens: dict[str, str] | None = None) -> list[dict]:
    """Broker users' and API tokens' Secrets: placeholders unless real passwords and tokens are given."""
    passwords, tokens = passwords or {}, tokens or {}
    objects = [_secret("yici-api-tokens", {v: tokens.get(v, PLACEHOLDER) for v in token_variables()}),
               _secret(STAFF_SIGNING_SECRET, {STAFF_SIGNING_VARIABLE: tokens.get(STAFF_SIGNING_VARIABLE, PLACEHOLDER)})]
    for grant in access.grants(departments):
        password = passwords.get(grant.user, PLACEHOLDER)
        data = {"username": grant.user, "password": password}
        if grant.role == "service":
            data["uri"] = access.amqp_uri(grant.user, password, RABBITMQ_HOST)
        if grant.role == "monitor":
            data["management-uri"] = (f"http://{quote(grant.user, safe='')}:"
                                      f"{quote(password, safe='')}@{RABBITMQ_HOST}:15672")
        objects.append(_secret(f"yici-broker-{grant.user}", data))
    return objects


def _secret(secret_name: str, data: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": secret_name, "labels": {"app.kubernetes.io/name": "yici"}}, "stringData": data}


# Path prefixes per service. The case sub-resources that oversight serves need a regex: nginx tries the
# longest path first, so they win over intake's /api/v1/cases.
PATHS = {
    "intake": ["/api/v1/cases", "/api/v1/matters", "/api/v1/files", "/api/v1/window", "/api/v1/openapi.json",
               "/api/v1/asyncapi.json", "/guides", "/track", "/apply", "/static", "/"],
    "routing": ["/api/v1/routing"],
    "approval": ["/api/v1/departments", "/api/v1/licenses", "/api/v1/seals", "/department"],
    "delivery": ["/api/v1/deliveries", "/api/v1/downloads"],
    "oversight": ["/api/v1/cases/[^/]+/(timeline|sla|rating)", "/api/v1/calendar", "/api/v1/supervision",
                  "/api/v1/rectifications", "/api/v1/reports", "/api/v1/audit", "/oversight", "/staff",
                  "/department/rectifications"],
}


def ingress() -> dict:
    paths = sorted(((p, s) for s, prefixes in PATHS.items() for p in prefixes), key=lambda ps: -len(ps[0]))
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "yici", "labels": {"app.kubernetes.io/name": "yici"},
                         "annotations": {"nginx.ingress.kubernetes.io/use-regex": "true",
                                         "nginx.ingress.kubernetes.io/proxy-body-size": "25m"}},
            "spec": {"ingressClassName": "nginx", "rules": [{"http": {"paths": [
                {"path": path, "pathType": "ImplementationSpecific" if "[" in path else "Prefix",
                 "backend": {"service": {"name": name(service), "port": {"name": "http"}}}}
                for path, service in paths]}}]}}
