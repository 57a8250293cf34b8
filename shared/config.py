"""Configuration: YAML files with ${VAR:-default} substitution, validated at start."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, ValidationError, field_validator, model_validator

from shared.attempts import Limits
from shared.places import TakingPoint, default_points
from shared.workdays import DEFAULT_OVERRIDES, OverrideFileError, WorkingCalendar, calendar_file, load_overrides

SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
_VAR = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::-(?P<default>[^}]*))?\}")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "deploy" / "config" / "embedded.yaml"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says where and why."""


SEAL_KEY_HINT = "make one with: python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'"


class Client(BaseModel):
    """A caller of the HTTP API, known by its bearer token."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    token: str = Field(min_length=8)
    role: Literal["frontend", "clerk", "department", "supervisor"] = "frontend"
    department: str | None = Field(default=None, description="a department client's department: it sees only "
                                                             "that department's tasks, licenses and items")

    @model_validator(mode="after")
    def _department_bound(self) -> "Client":
        if self.role == "department" and not self.department:
            raise ValueError(f"client {self.name!r} has the department role but no department code")
        return self


DepartmentMode = Literal["auto", "worklist", "external"]
Level = Literal["village", "township", "banner", "city"]
DIVISION_CODE = r"^\d{6}(\d{3}(\d{3})?)?$"


class AutoRule(BaseModel):
    """A rule a department configures to decide automatically (e.g. a check that passes when the registry holds a license)."""
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    department: str
    items: list[str] = Field(default_factory=list, description="items it decides; empty: every item of the department")
    requires_license: str | None = Field(default=None, description="license type the holder must hold in the registry")


class ApprovalSettings(BaseModel):
    """How each department decides: `auto` (demos, tests), `worklist` (clerks over HTTP), `external` (own system)."""
    model_config = ConfigDict(extra="forbid")
    auto_approve: bool = Field(default=True, description="mode of unlisted departments: auto if true, else worklist")
    delay_seconds: float = Field(default=0.0, ge=0, le=3600)
    departments: dict[str, DepartmentMode] = Field(
        default_factory=dict, description="department code (or department.unit) -> mode")
    instant_auto: bool = Field(default=True, description="instant items (即办件) of worklist departments decide at once")
    rules: list[AutoRule] = Field(default_factory=list)
    default_validity_years: int = Field(default=5, ge=0, le=100, description="e-license validity; 0 = long-term")
    validity_years: dict[str, int] = Field(default_factory=dict, description="license type -> years (0 = long-term)")
    seal_keys: dict[str, str] = Field(default_factory=dict, description=(
        "department -> base64 of a 32-byte Ed25519 private key supplied by the operator (YICI_SEAL_KEY_<DEPT> is "
        "merged in); a department without one gets a key generated once and kept in approval's database"))

    @model_validator(mode="before")
    @classmethod
    def _no_seal_secret(cls, data: Any) -> Any:
        if isinstance(data, dict) and "seal_secret" in data:
            raise ValueError("approval.seal_secret is no longer used (keys derived from a shared secret could be "
                             "forged): remove it. Seal keys are generated per deployment and kept in approval's "
                             "database, or supplied as YICI_SEAL_KEY_<DEPT> / approval.seal_keys")
        return data

    @field_validator("seal_keys")
    @classmethod
    def _ed25519_seeds(cls, value: dict[str, str]) -> dict[str, str]:
        for department, key in value.items():
            where = f"YICI_SEAL_KEY_{department.upper().replace('-', '_')} or approval.seal_keys"
            try:
                raw = base64.b64decode(key, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"the seal key of {department} ({where}) is not base64; {SEAL_KEY_HINT}") from None
            if len(raw) != 32:
                raise ValueError(f"the seal key of {department} ({where}) decodes to {len(raw)} bytes, not 32; "
                                 f"{SEAL_KEY_HINT}")
            if len(set(raw)) < 16:
                raise ValueError(f"the seal key of {department} ({where}) is not random; {SEAL_KEY_HINT}")
        return value

    def mode_of(self, department: str, unit: str | None = None) -> DepartmentMode:
        default: DepartmentMode = "auto" if self.auto_approve else "worklist"
        if unit is not None and f"{department}.{unit}" in self.departments:
            return self.departments[f"{department}.{unit}"]
        return self.departments.get(department, default)

    def serves(self, department: str, unit: str | None = None) -> bool:
        """Whether the approval service decides this department's (or unit's) requests itself."""
        return self.mode_of(department, unit) != "external"


class UnitSettings(BaseModel):
    """A level unit of a department: a township police station, a village service point, a city office."""
    model_config = ConfigDict(extra="forbid")
    department: str
    level: Level
    region: str = Field(pattern=DIVISION_CODE, description="division code of the township, village or city")
    name: str = ""


class DelegationRule(BaseModel):
    """交互授权: upper authorises lower, lower entrusts upper, peers entrust each other."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["authorise", "entrust_upper", "entrust_peer"]
    items: list[str] = Field(default_factory=list, description="items it moves; empty: every item of `department`")
    department: str | None = None
    to_level: Level | None = Field(default=None, description="authorise: the lower level; entrust_upper: the upper")
    to_department: str | None = Field(default=None, description="entrust_peer: the peer department")
    regions: list[str] = Field(default_factory=list, description="case region prefixes it applies to; empty: all")
    basis: str = Field(default="", description="the document that delegates, shown as the routing reason")


class JointSettings(BaseModel):
    """When and where a joint inspection (联合踏勘) is booked: the first working day `days_ahead` after its first
    item goes out, at `time`, at the site address the case form gives (the first of `site_fields` it has)."""
    model_config = ConfigDict(extra="forbid")
    days_ahead: int = Field(default=1, ge=1, le=20, description="working days from release to the appointment")
    time: str = Field(default="09:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, Asia/Shanghai")
    site_fields: list[str] = Field(default_factory=lambda: [
        "construction_site_address", "connection_address", "business_address", "property_address"],
        description="form fields that name the site, in order of preference")


class RoutingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    home_region: str = Field(default="150626", pattern=r"^\d{6}$", description="the banner this deployment serves")
    units: list[UnitSettings] = Field(default_factory=list)
    delegations: list[DelegationRule] = Field(default_factory=list)
    joint: JointSettings = Field(default_factory=JointSettings)
    supplement_days: int = Field(default=10, ge=1, le=60, description=(
        "working days the applicant has to supply what a department asks for during approval (the SMS and the "
        "status page give the date)"))


class LibrarySettings(BaseModel):
    """Where intake fetches what the applicant need not bring (docs/library-http.md, docs/demo-library.md).

    The system's own license registry is always asked first; then each of `sources` in order."""
    model_config = ConfigDict(extra="forbid")
    sources: list[Literal["demo", "http"]] = Field(default=["demo"], description=(
        "demo: the sample people and companies shipped in shared/data/demo-library.yaml (embedded default); "
        "http: the regional e-license library and shared-data exchange at http_url"))
    http_url: str | None = Field(default=None, description="base URL of the regional library's lookup API")
    http_token: str | None = Field(default=None, description="bearer token for the regional library")
    connect_timeout_seconds: float = Field(default=1.0, gt=0, le=30)
    read_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=5, description="retries of one lookup on connection errors and 5xx")
    retry_backoff_seconds: float = Field(default=0.2, ge=0, le=5)
    breaker_failures: int = Field(default=5, ge=1, le=100, description="failed lookups that open the circuit")
    breaker_reset_seconds: float = Field(default=30.0, gt=0, le=3600, description="open circuit: wait this long")
    hold_minutes: int = Field(default=30, ge=1, le=24 * 60, description=(
        "a case waits this long for a library that is down; then what it could not fetch is noticed as "
        "material.not_in_library (upload offered)"))
    retry_seconds: int = Field(default=60, ge=1, le=3600, description="how often held cases are looked up again")

    @model_validator(mode="after")
    def _http_needs_url(self) -> "LibrarySettings":
        if "http" in self.sources and not self.http_url:
            raise ValueError("intake.library.sources has http: set intake.library.http_url")
        return self


class ApplicantSettings(BaseModel):
    """The applicant's online application (/apply): how applicants sign in, and the one-time codes' limits."""
    model_config = ConfigDict(extra="forbid")
    sign_in: Literal["phone_code", "regional_sso"] = Field(default="phone_code", description=(
        "phone_code: mobile number and a one-time SMS code (the default); regional_sso: the regional platform's "
        "single sign-on (蒙速办 / 政务服务网) through the adapter named by regional_sso_adapter "
        "(docs/decisions/0029-the-applicants-online-application.md)"))
    regional_sso_adapter: str | None = Field(default=None, max_length=200, description=(
        "module:factory of the regional single sign-on adapter (sign_in: regional_sso); the factory takes the "
        "settings and returns an object with authorize_url(state, return_to) and complete(params, state)"))
    code_ttl_seconds: int = Field(default=300, ge=60, le=1800, description="how long a one-time code works")
    code_attempts: int = Field(default=5, ge=1, le=10, description="wrong codes before the code is void")
    resend_seconds: int = Field(default=60, ge=10, le=600, description="wait before another code to one number")
    codes_per_hour: int = Field(default=5, ge=1, le=50, description="codes one number may get in an hour")
    session_hours: float = Field(default=2.0, gt=0, le=24, description="absolute lifetime of an applicant session")
    secret: str | None = Field(default=None, min_length=16, description=(
        "HMAC key of the applicants' one-time codes, session cookies and phone keys (intake only). "
        "Unset: generated once in data_dir"))

    @model_validator(mode="after")
    def _adapter_for_sso(self) -> "ApplicantSettings":
        if self.sign_in == "regional_sso" and not self.regional_sso_adapter:
            raise ValueError("intake.applicants.sign_in: regional_sso needs intake.applicants.regional_sso_adapter")
        return self


class IntakeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    applicants: ApplicantSettings = Field(default_factory=ApplicantSettings)
    library: LibrarySettings = Field(default_factory=LibrarySettings)
    correction_days: int = Field(default=5, ge=1, le=60, description=(
        "working days to answer a correction notice; unanswered past them, the application is closed as not "
        "accepted (不予受理) and the applicant told"))
    notice_check_seconds: float = Field(default=600.0, gt=0, le=86400, description=(
        "how often intake looks for correction notices past their deadline"))
    review_deadline_days: int = Field(default=5, ge=1, le=20, description="行政许可法 art. 32: notify within 5 days")
    manual_review_channels: list[str] = Field(default_factory=list, description="channels a clerk reviews by hand")
    max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    taking_points: list[TakingPoint] = Field(default_factory=default_points, description=(
        "halls, windows, village service points and bank branches (政银合作) that take cases: a case names one "
        "by its code (taking_point); an unknown one is refused (422). One in another banner of the city takes "
        "only city-wide matters (全市通办)"))

    @field_validator("taking_points")
    @classmethod
    def _unique_points(cls, value: list[TakingPoint]) -> list[TakingPoint]:
        codes = [p.code for p in value]
        if len(codes) != len(set(codes)):
            raise ValueError("intake.taking_points: each code once")
        return value

    def points(self) -> dict[str, TakingPoint]:
        return {p.code: p for p in self.taking_points}


class SimulatedCourierFaults(BaseModel):
    """Fault injection for the simulated courier (tests and drills only): how many times each fires."""
    model_config = ConfigDict(extra="forbid")
    crash_after_booking: int = Field(default=0, ge=0, description="book, then end the process at once")
    timeout_after_booking: int = Field(default=0, ge=0, description="book, then lose the answer (timeout)")
    timeout_before_booking: int = Field(default=0, ge=0, description="time out without booking")


class CourierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    adapter: Literal["simulated"] = "simulated"
    name: str = "模拟快递"
    faults: SimulatedCourierFaults = Field(default_factory=SimulatedCourierFaults)


class DeliverySettings(BaseModel):
    """Halls, download links, the courier and SMS adapters of the delivery service."""
    model_config = ConfigDict(extra="forbid")
    default_hall: str = "乌审旗政务服务中心综合窗口"
    opening_hours: str = "周一至周五 9:00—12:00，14:30—17:30（法定节假日除外）"
    link_secret: str | None = Field(default=None, min_length=16,
                                    description="HMAC key of download links; generated once and kept in "
                                                "delivery's database when unset")
    link_ttl_days: int = Field(default=30, ge=1, le=365)
    download_base_url: str | None = Field(default=None, description="Base URL of download links "
                                                                     "(default public_base_url)")
    work_interval_seconds: float = Field(default=2.0, gt=0, le=3600)
    courier: CourierSettings = Field(default_factory=CourierSettings)
    sms_adapter: Literal["simulated"] = "simulated"
    sms_signature: str = "【乌审旗政务服务】"
    halls: list[str] = Field(default_factory=lambda: ["乌审旗政务服务大厅"], description=(
        "halls an applicant may choose for pickup, besides default_hall; any other is refused (422): a hall's "
        "name goes into a government-signed SMS, so it must be one the county named"))

    def known_halls(self) -> list[str]:
        return [self.default_hall, *(h for h in self.halls if h != self.default_hall)]


class OversightSettings(BaseModel):
    """Supervision thresholds and the periodic scan."""
    model_config = ConfigDict(extra="forbid")
    yellow_share: float = Field(default=0.8, gt=0, le=1, description="share of a limit that raises yellow")
    scan_interval_seconds: float = Field(default=60.0, gt=0, le=86400)
    rectification_days: int = Field(default=15, ge=1, le=60)
    commitment_remind_share: float = Field(default=0.5, gt=0, le=1, description=(
        "share of a deferred material's supply period after which the applicant is reminded (once, by SMS)"))
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7, description=(
        "a supervisor's sign-in lasts this long (the session ends sooner at logout)"))


class StaffSettings(BaseModel):
    """Staff accounts' sessions: oversight signs them (Ed25519), every service verifies them with the public key."""
    model_config = ConfigDict(extra="forbid")
    session_hours: float = Field(default=10.0, gt=0, le=24, description=(
        "absolute lifetime of a staff sign-in (a working day); sign-out or disabling the account ends it sooner"))
    signing_key: str | None = Field(default=None, min_length=40, description=(
        "oversight's Ed25519 private key (PEM, PKCS#8, or base64 of the raw 32 bytes) that signs staff sessions; "
        "only oversight needs it. "
        "Unset: generated once in data_dir (embedded mode)"))
    public_key: str | None = Field(default=None, min_length=40, description=(
        "the Ed25519 public key (PEM, or base64 of the raw 32 bytes) every service verifies staff sessions with. "
        "Unset: derived from the key "
        "in data_dir (embedded mode); in distributed mode set it on every service"))


class HttpSettings(BaseModel):
    """The web server's own capacity and clocks: slow or hostile clients cost HTTP capacity, never the pipeline."""
    model_config = ConfigDict(extra="forbid")
    workers: int = Field(default=20, ge=1, le=1000, description="requests handled at once (apart from event "
                                                                 "handlers, which have max_workers of their own)")
    connections: int = Field(default=1000, ge=1, le=100_000, description="open connections at once; more get 503")
    connections_per_client: int = Field(default=256, ge=1, le=100_000, description=(
        "open connections per client address, idle keep-alive ones included; more get 429"))
    requests_per_client: int = Field(default=32, ge=1, le=100_000, description=(
        "requests under way per client address (being sent, waiting or handled); more get 429. Behind a "
        "reverse proxy every client has the proxy's address: raise both limits there and limit at the proxy"))
    read_timeout_seconds: float = Field(default=10.0, gt=0, le=600, description="longest silence while reading")
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600, description="to send all request headers")
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=3600, description="to send the whole body")
    keepalive_seconds: float = Field(default=5.0, gt=0, le=3600, description="idle keep-alive connection kept")
    request_deadline_seconds: float = Field(default=30.0, gt=0, le=3600, description=(
        "a request not started within this time of its arrival is refused (503), not processed: its client "
        "has given up"))
    retry_after_seconds: int = Field(default=5, ge=1, le=3600, description="Retry-After on 503 answers")
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list, description=(
        "addresses (or networks) of reverse proxies: a request from one is counted, by the attempt limits, "
        "against the address its X-Forwarded-For names (the nearest hop that is not a trusted proxy)"))


class AttemptSettings(BaseModel):
    """Limits on guessing codes (/track lookup codes, pickup codes, the supervisors' sign-in): failures counted
    per client address and per target within a sliding window; over either, 429 with Retry-After. A target
    with `per_target` failures is locked (even the right code is refused) until they age out of the window."""
    model_config = ConfigDict(extra="forbid")
    window_seconds: float = Field(default=900.0, ge=1, le=86400)
    per_client: int = Field(default=30, ge=1, le=100_000, description=(
        "failures from one client address per window; behind a reverse proxy every client has its address"))
    per_target: int = Field(default=5, ge=1, le=1000, description="failures at one target before it is locked")

    def limits(self) -> Limits:
        return Limits(self.window_seconds, self.per_client, self.per_target)


class Settings(BaseModel):
    """Everything a Yici process needs to start; unknown keys are refused."""
    model_config = ConfigDict(extra="forbid")
    mode: Literal["embedded", "distributed"] = "embedded"
    amqp_uri: str = "memory://"
    data_dir: Path = Path("./var")
    database_url: str = "sqlite:///{data_dir}/{service}.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    service_ports: dict[str, int] = Field(default_factory=dict)
    quorum_queues: bool = Field(default=False, description="cluster profile: quorum queues with a delivery limit")
    verify_publishers: bool = Field(default=False, description=(
        "distributed mode with one broker user per service: an event whose AMQP user_id is not its owner's user "
        "(yici-<service>) is dead-lettered, never handled"))
    broker_user_prefix: str = Field(default="", description="prefix of the services' broker user names")
    heartbeat: int = Field(default=10, ge=0, le=600)
    max_workers: int = Field(default=10, ge=1, le=1000)
    confirm_timeout: float = Field(default=5.0, gt=0)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    http: HttpSettings = Field(default_factory=HttpSettings)
    attempts: AttemptSettings = Field(default_factory=AttemptSettings)
    shutdown_grace_seconds: float = Field(default=8.0, gt=0, le=600, description=(
        "on SIGTERM, in-flight work may finish within this time; then the process is killed"))
    wedged_after_seconds: float = Field(default=120.0, gt=0, le=86400, description=(
        "/healthz fails (so an orchestrator restarts the process) when a worker has run this long or the "
        "consumers stay disconnected this long from a broker that answers"))
    clients: list[Client] = Field(default_factory=list)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    oversight: OversightSettings = Field(default_factory=OversightSettings)
    staff: StaffSettings = Field(default_factory=StaffSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    public_base_url: str | None = Field(default=None, description=(
        "the address applicants reach the suite at (QR codes, receipts, download links in texts); unset: the "
        "address the process actually listens on, http://host:port"))
    audit_subject_key: str | None = Field(default=None, min_length=16, description=(
        "HMAC key of the pseudonyms that stand for persons in the audit trail; the same for every service. "
        "Unset: generated once in data_dir (enough when the services share one data_dir)"))
    file_link_secret: str | None = Field(default=None, min_length=16, description=(
        "HMAC key of the signed links to materials that departments get with each approval request (routing "
        "signs, intake checks). Unset: generated once in data_dir (enough when the services share one data_dir)"))
    file_link_ttl_hours: int = Field(default=720, ge=1, le=24 * 366, description="how long a material link works")
    log_format: Literal["auto", "json", "console"] = "auto"
    calendar_overrides: Path = Field(default=DEFAULT_OVERRIDES, description=(
        "the State Council holiday notices an admin adds each year (format: the shipped file's header); "
        "re-read while the services run when it changes"))

    @field_validator("calendar_overrides")
    @classmethod
    def _readable_overrides(cls, value: Path) -> Path:
        try:
            load_overrides(value)
        except OSError as error:
            raise ValueError(f"cannot read {value}: {error.strerror or error}") from None
        except OverrideFileError as error:
            raise ValueError(f"{value}: {error}") from None
        return value

    def calendar(self, kind: type[WorkingCalendar] = WorkingCalendar) -> WorkingCalendar:
        """The official working-day calendar as of now (an edited override file is picked up)."""
        return calendar_file(self.calendar_overrides, kind).current()

    @field_validator("amqp_uri")
    @classmethod
    def _known_transport(cls, value: str) -> str:
        brokers = value.split(";")
        if not all(b.startswith(("amqp://", "amqps://", "pyamqp://")) for b in brokers) and not value.startswith("memory://"):
            raise ValueError("amqp_uri must be memory:// or amqp:// URIs (several, for a cluster, separated by ';')")
        return value

    @field_validator("broker_user_prefix", mode="before")
    @classmethod
    def _no_prefix(cls, value: object) -> object:
        return "" if value is None else value  # `broker_user_prefix: ${YICI_BROKER_USER_PREFIX:-}` reads as null

    @model_validator(mode="after")
    def _verify_needs_a_broker(self) -> "Settings":
        if self.verify_publishers and self.amqp_uri.startswith("memory://"):
            raise ValueError("verify_publishers needs RabbitMQ (amqp_uri amqp://...): memory:// names no sender")
        return self

    @field_validator("service_ports")
    @classmethod
    def _known_services(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(SERVICES))
        if unknown:
            raise ValueError(f"unknown services in service_ports: {unknown}")
        return value

    def database_url_for(self, service: str) -> str:
        return self.database_url.format(data_dir=self.data_dir, service=service)

    def port_for(self, service: str) -> int:
        if self.mode == "embedded":
            return self.port
        return self.service_ports.get(service, self.port)

    def base_url(self, service: str | None = None) -> str:
        """Where links point: the configured public_base_url, else this process's own host and port (a
        wildcard host is reached on the loopback), so links follow the port the server was started on."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port_for(service) if service else self.port}"

    def client_for_token(self, token: str) -> Client | None:
        """The client with this token, compared in constant time with every client's (no early exit)."""
        offered = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        found = None
        for client in self.clients:
            if hmac.compare_digest(offered, hashlib.sha256(client.token.encode("utf-8", "surrogateescape")).digest()):
                found = found or client
        return found


def substitute(text: str, env: Mapping[str, str] | None = None) -> str:
    """Replace ${VAR} and ${VAR:-default}; an unset variable without default is an error."""
    values = os.environ if env is None else env

    def replace(match: re.Match[str]) -> str:
        name: str = match.group("name")
        default: str | None = match.group("default")
        if values.get(name):
            return values[name]
        if default is None:
            raise ConfigError(f"environment variable {name} is not set and has no default")
        return default

    return _VAR.sub(replace, text)


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read, substitute and validate one YAML configuration file."""
    path = Path(path or os.environ.get("YICI_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = yaml.safe_load(substitute(path.read_text(encoding="utf-8"), env)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    if isinstance(raw, dict):
        _merge_seal_keys_from_env(raw, os.environ if env is None else env)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"{path}: invalid configuration:\n" + "\n".join(lines)) from exc


def _merge_seal_keys_from_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    """YICI_SEAL_KEY_<DEPT> (the department code upper-cased, '-' as '_') into approval.seal_keys; it wins."""
    keys = {name[len("YICI_SEAL_KEY_"):].lower().replace("_", "-"): value for name, value in env.items()
            if name.startswith("YICI_SEAL_KEY_") and len(name) > len("YICI_SEAL_KEY_") and value}
    if keys:
        approval = raw.setdefault("approval", None) or {}
        if isinstance(approval, dict):
            approval["seal_keys"] = {**(approval.get("seal_keys") or {}), **keys}
            raw["approval"] = approval


# Secrets a distributed deployment must not start with
GENERATE_TOKEN = "python -c 'import secrets; print(secrets.token_urlsafe(32))'  (or: yici secrets generate)"
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
MIN_DISTINCT_CHARACTERS = 10
KNOWN_DEVELOPMENT_SECRETS = frozenset({
    "dev-token-change-me", "dev-clerk-token-change-me", "dev-supervisor-token-change-me",
    "REPLACE-ME-see-deploy-README", "yici-development-seal-secret", "test-token-0123456789",
    "test-clerk-token-0123456789", "test-supervisor-token-0123456789"})
PLACEHOLDER_MARKS = ("change-me", "changeme", "change_me", "replace-me", "replace_me", "replaceme")


def weak_secret(value: str) -> str | None:
    """Why `value` is no secret for production (a development or placeholder value, too short, too little
    entropy), else None. Entropy is estimated from the length and the character classes used: at least
    MIN_SECRET_BITS, MIN_SECRET_LENGTH characters, MIN_DISTINCT_CHARACTERS distinct ones, and no repetition of
    a shorter pattern."""
    lowered = value.lower()
    if value in KNOWN_DEVELOPMENT_SECRETS or lowered.startswith("dev-"):
        return "is a development or placeholder value from this repository"
    if any(mark in lowered for mark in PLACEHOLDER_MARKS):
        return "is a placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is {len(value)} characters long, shorter than {MIN_SECRET_LENGTH}"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS or (value + value).find(value, 1) < len(value):
        return "repeats too few characters to be random"
    alphabet = sum(size for chars, size in ((str.islower, 26), (str.isupper, 26), (str.isdigit, 10))
                   if any(chars(c) and c.isascii() for c in value))
    alphabet += 33 if any(not (c.isascii() and c.isalnum()) for c in value) else 0
    bits = len(value) * math.log2(max(alphabet, 2))
    if bits < MIN_SECRET_BITS:
        return f"holds about {bits:.0f} bits of entropy, fewer than {MIN_SECRET_BITS}"
    return None


def secret_settings(settings: Settings) -> list[tuple[str, str]]:
    """(setting, value) of every secret the settings hold: client tokens, the link secret."""
    found = [(f"clients[{i}].token ({c.name}{'; ' + _TOKEN_VARS[c.role] if c.role in _TOKEN_VARS else ''})", c.token)
             for i, c in enumerate(settings.clients)]
    if settings.delivery.link_secret is not None:
        found.append(("delivery.link_secret", settings.delivery.link_secret))
    if settings.audit_subject_key is not None:
        found.append(("audit_subject_key", settings.audit_subject_key))
    if settings.file_link_secret is not None:
        found.append(("file_link_secret", settings.file_link_secret))
    if settings.intake.applicants.secret is not None:
        found.append(("intake.applicants.secret", settings.intake.applicants.secret))
    return found


_TOKEN_VARS = {"frontend": "YICI_API_TOKEN", "clerk": "YICI_CLERK_TOKEN", "supervisor": "YICI_SUPERVISOR_TOKEN"}


def weak_secrets(settings: Settings) -> list[str]:
    """One line per secret that is not fit for production, naming the setting; placeholders in the broker and
    database URLs too."""
    problems = [f"{name} {why}" for name, value in secret_settings(settings) if (why := weak_secret(value))]
    problems += [f"{name} holds a placeholder password" for name, value in
                 (("amqp_uri", settings.amqp_uri), ("database_url", settings.database_url))
                 if any(mark in value.lower() for mark in PLACEHOLDER_MARKS)]
    return problems


def refuse_weak_secrets(settings: Settings) -> None:
    """Distributed mode: a development, placeholder or guessable secret stops the start (ConfigError)."""
    problems = weak_secrets(settings)
    if settings.mode == "distributed" and problems:
        raise ConfigError("refusing to start in distributed mode with secrets unfit for production:\n"
                          + "\n".join(f"  {p}" for p in problems)
                          + f"\ngenerate each one with: {GENERATE_TOKEN}")
