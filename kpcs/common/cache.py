"""A Redis cache that keeps the site answering when Redis is down.

The cache holds throttle counts (certificate verification, public API) and short-lived
answers. Redis unreachable must not turn every page and API call into a 500, so each
operation that cannot reach Redis is served from this process's memory instead, and Redis
is left alone for RETRY_SECONDS (one slow connection attempt per outage per process, not per
request). A warning is logged once per outage.

Why a local count rather than failing open: the throttles guard against enumeration of
certificate numbers; switching them off exactly when Redis is down (which an attacker might
cause) would remove the guard. Counting per process still caps each client at the rate times
the number of web processes, and nobody is refused for Redis's sake. When Redis returns the
shared counts take over again (the local ones are forgotten, so a client may get one fresh
window).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 15.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        fallback_params = {k: v for k, v in params.items() if k != "OPTIONS"}
        self._fallback = LocMemCache(f"kpcs-fallback-{id(self)}", fallback_params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        """True while operations go to the local fallback."""
        return time.monotonic() < self._down_until

    def _guard(self, name: str, redis_call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self.redis_down:
            try:
                return redis_call(*args, **kwargs)
            except UNREACHABLE as exc:
                with self._lock:
                    first = not self.redis_down
                    self._down_until = time.monotonic() + RETRY_SECONDS
                if first:
                    logger.warning(
                        "Redis cache unreachable (%s): using this process's memory for %ss",
                        exc,
                        RETRY_SECONDS,
                    )
        result: T = getattr(self._fallback, name)(*args, **kwargs)
        return result

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard("add", super().add, *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._guard("get", super().get, *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._guard("set", super().set, *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard("touch", super().touch, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard("delete", super().delete, *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._guard("get_many", super().get_many, *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard("has_key", super().has_key, *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._guard("incr", super().incr, *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._guard("set_many", super().set_many, *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._guard("delete_many", super().delete_many, *args, **kwargs)

    def clear(self) -> None:
        self._fallback.clear()
        self._guard("clear", super().clear)
