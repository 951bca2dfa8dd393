"""Flight's authentication middleware: back-off, a bound on sleeping threads, the same answer for everyone."""

from __future__ import annotations

import base64

import pytest
from pyarrow import flight

from server.config import DEMO_USERS
from server.policy import users as users_module
from server.policy.throttle import AuthThrottle, Backoff
from server.policy.users import UserStore
from server.protocol.flight.auth import AuthMiddlewareFactory, CallerMiddleware, TokenStore

USERS = UserStore.load(DEMO_USERS)


class Clock:
    """A fake monotonic clock that sleeping advances, so back-off is tested without waiting."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def factory(clock: Clock, users: UserStore = USERS, **options: object) -> AuthMiddlewareFactory:
    return AuthMiddlewareFactory(
        users,
        TokenStore(),
        throttle=AuthThrottle(clock=clock, address_backoff=Backoff(allowance=16)),
        bearer_throttle=AuthThrottle(Backoff(allowance=2), Backoff(allowance=2), clock=clock),
        sleep=clock.sleep,
        **options,  # type: ignore[arg-type]
    )


def basic(user: str, password: str) -> dict[str, list[str]]:
    return {"authorization": ["Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()]}


def bearer(token: str) -> dict[str, list[str]]:
    return {"authorization": [f"Bearer {token}"]}


def test_the_right_password_gets_a_token() -> None:
    middleware = factory(Clock()).start_call(None, basic("analyst", "analyst-pass"))
    assert isinstance(middleware, CallerMiddleware) and middleware.user.name == "analyst"
    assert middleware.sending_headers()["authorization"].startswith("Bearer ")


def test_each_failure_doubles_the_wait_before_the_next_check() -> None:
    clock = Clock()
    auth = factory(clock)
    for _ in range(5):
        with pytest.raises(flight.FlightUnauthenticatedError):
            auth.start_call(None, basic("guest", "wrong"))
    assert clock.slept == [0.1, 0.2, 0.4, 0.8]
    auth.start_call(None, basic("guest", "guest-pass"))  # the right password waits its turn too...
    assert clock.slept[-1] == 1.6
    auth.start_call(None, basic("guest", "guest-pass"))  # ...and then the slate is clean
    assert clock.slept[-1] == 1.6 and len(clock.slept) == 5


def test_other_users_are_not_slowed_by_one_users_failures() -> None:
    clock = Clock()
    auth = factory(clock)
    for _ in range(4):
        with pytest.raises(flight.FlightUnauthenticatedError):
            auth.start_call(None, basic("admin", "wrong"))
    slept = len(clock.slept)
    auth.start_call(None, basic("analyst", "analyst-pass"))
    assert len(clock.slept) == slept


def test_spraying_many_names_slows_the_endpoint_past_its_allowance() -> None:
    clock = Clock()
    auth = factory(clock)
    for i in range(19):
        with pytest.raises(flight.FlightUnauthenticatedError):
            auth.start_call(None, basic(f"user{i}", "Winter2024!"))
    assert clock.slept == [0.1, 0.2]  # 16 failures are free; attempts 18 and 19 wait


def test_too_many_waiting_threads_are_refused_without_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    users = UserStore.load(DEMO_USERS)
    monkeypatch.setattr(users, "verify_password", lambda name, password: checked.append(name))
    auth = factory(Clock(), users, max_waiting=0)
    with pytest.raises(flight.FlightUnauthenticatedError):
        auth.start_call(None, basic("admin", "wrong"))  # checked (no back-off yet), failed
    assert checked == ["admin"]
    with pytest.raises(flight.FlightUnavailableError, match="too many authentication attempts"):
        auth.start_call(None, basic("admin", "admin-pass"))
    assert checked == ["admin"]  # the second guess was never evaluated


@pytest.mark.parametrize("user", ["analyst", "no_such_user"])
def test_unknown_users_cost_and_read_like_wrong_passwords(user: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = users_module.salted_password
    monkeypatch.setattr(users_module, "salted_password", lambda p, s, i: calls.append(i) or real(p, s, i))
    with pytest.raises(flight.FlightUnauthenticatedError) as caught:
        factory(Clock()).start_call(None, basic(user, "wrong"))
    assert str(caught.value).startswith(f'password authentication failed for user "{user}"')
    assert calls == [4096]


def test_a_stored_verifier_is_not_a_password() -> None:
    user = USERS.get("analyst")
    assert user is not None and user.md5 is not None
    auth = factory(Clock())
    for stored in (user.md5, str(user.scram)):
        with pytest.raises(flight.FlightUnauthenticatedError):
            auth.start_call(None, basic("analyst", stored))


def test_failed_bearer_tokens_are_answered_after_a_back_off_valid_ones_never_wait() -> None:
    clock = Clock()
    users = UserStore.load(DEMO_USERS)
    key = users.new_api_key("guest")
    auth = factory(clock, users)
    for _ in range(4):
        with pytest.raises(flight.FlightUnauthenticatedError, match="invalid or expired token"):
            auth.start_call(None, bearer("not-a-token"))
    assert clock.slept == [0.1]  # failures 1-2 free; the 4th waited out the 3rd's back-off
    middleware = auth.start_call(None, bearer(key))
    assert middleware.user.name == "guest" and clock.slept == [0.1]


def test_a_user_logging_in_in_a_loop_holds_a_bounded_number_of_tokens() -> None:
    admin, analyst = USERS.get("admin"), USERS.get("analyst")
    assert admin is not None and analyst is not None
    tokens = TokenStore(per_user=3)
    kept = tokens.issue(analyst)
    issued = [tokens.issue(admin) for _ in range(50)]
    assert len(tokens) == 4
    assert [tokens.user(t) for t in issued[:-3]] == [None] * 47  # the oldest were retired
    assert all(tokens.user(t) == admin for t in issued[-3:])
    assert tokens.user(kept) == analyst  # another user's token is untouched
