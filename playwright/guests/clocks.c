// For the wall clocks (realtime, monotonic): read one, then sleep until 100 ms past that reading
// with an absolute poll_oneoff deadline on the same clock. The readings and the deadlines must
// share a time base: the gap is then 100 ms to 1 s. Then the CPU clocks and two error cases.
#include <stdio.h>
#include <wasi/api.h>

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t error = __wasi_clock_time_get(id, 1, &t);
    if (error) printf("clock %u: errno %u\n", id, error);
    return t;
}

int main(void) {
    static const char *names[] = {"realtime", "monotonic"};
    for (__wasi_clockid_t id = 0; id < 2; id++) {
        __wasi_timestamp_t start = now(id);
        __wasi_subscription_t sub = {0};
        sub.u.tag = __WASI_EVENTTYPE_CLOCK;
        sub.u.u.clock.id = id;
        sub.u.u.clock.timeout = start + 100000000ull;
        sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
        __wasi_event_t event;
        __wasi_size_t count = 0;
        __wasi_errno_t error = __wasi_poll_oneoff(&sub, &event, 1, &count);
        long long gap = (long long)(now(id) - start) / 1000000;
        printf("%s: poll %u, %s\n", names[id], error, gap >= 100 && gap < 1000 ? "ok" : "bad");
        if (gap < 100 || gap >= 1000) printf("  gap %lld ms\n", gap);
    }
    __wasi_timestamp_t t;
    __wasi_timestamp_t before = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
    printf("process: %s\n", now(__WASI_CLOCKID_PROCESS_CPUTIME_ID) >= before ? "ok" : "bad");
    before = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
    printf("thread: %s\n", now(__WASI_CLOCKID_THREAD_CPUTIME_ID) >= before ? "ok" : "bad");
    printf("unknown clock: %u\n", __wasi_clock_time_get(9, 1, &t));
    printf("bad pointer: %u\n", __wasi_clock_time_get(1, 1, (__wasi_timestamp_t *)0xfffffffc));
    return 0;
}
