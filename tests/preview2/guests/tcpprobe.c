/* A native component connecting with wasi:sockets@0.2 itself (tcpprobe.wit): create a TCP socket,
 * connect to 127.0.0.1, send a message, read the reply until the peer closes; or bind and listen,
 * and bind a UDP socket; or start a connect and give it up; or serve: listen, then accept one connection and echo it. Each step is reported as a line, so a granted, a denied and an
 * unsupported operation can be told apart. */
#include "probe.h"

#define SOCKETS(interface, name) IMPORT("wasi:sockets/" interface "@0.2.12", name)
#define IO(interface, name) IMPORT("wasi:io/" interface "@0.2.12", name)

SOCKETS("instance-network", "instance-network") int32_t instance_network(void);
SOCKETS("network", "[resource-drop]network") void network_drop(int32_t self);
SOCKETS("tcp-create-socket", "create-tcp-socket") void create_tcp(int32_t family, void *ret);
SOCKETS("tcp", "[resource-drop]tcp-socket") void tcp_drop(int32_t self);
/* ip-socket-address flattened: the case, then the ipv6 case's 11 slots (ipv4 uses the first 5) */
SOCKETS("tcp", "[method]tcp-socket.start-connect")
void start_connect(int32_t self, int32_t net, int32_t family, int32_t port, int32_t a, int32_t b, int32_t c,
                   int32_t d, int32_t u0, int32_t u1, int32_t u2, int32_t u3, int32_t u4, int32_t u5, void *ret);
SOCKETS("tcp", "[method]tcp-socket.finish-connect") void finish_connect(int32_t self, void *ret);
SOCKETS("tcp", "[method]tcp-socket.start-bind")
void tcp_start_bind(int32_t self, int32_t net, int32_t family, int32_t port, int32_t a, int32_t b, int32_t c,
                    int32_t d, int32_t u0, int32_t u1, int32_t u2, int32_t u3, int32_t u4, int32_t u5, void *ret);
SOCKETS("tcp", "[method]tcp-socket.finish-bind") void tcp_finish_bind(int32_t self, void *ret);
SOCKETS("tcp", "[method]tcp-socket.start-listen") void start_listen(int32_t self, void *ret);
SOCKETS("tcp", "[method]tcp-socket.finish-listen") void finish_listen(int32_t self, void *ret);
SOCKETS("tcp", "[method]tcp-socket.accept") void tcp_accept(int32_t self, void *ret);
SOCKETS("udp-create-socket", "create-udp-socket") void create_udp(int32_t family, void *ret);
SOCKETS("udp", "[resource-drop]udp-socket") void udp_drop(int32_t self);
SOCKETS("udp", "[method]udp-socket.start-bind")
void udp_start_bind(int32_t self, int32_t net, int32_t family, int32_t port, int32_t a, int32_t b, int32_t c,
                    int32_t d, int32_t u0, int32_t u1, int32_t u2, int32_t u3, int32_t u4, int32_t u5, void *ret);
SOCKETS("tcp", "[method]tcp-socket.subscribe") int32_t tcp_subscribe(int32_t self);
SOCKETS("ip-name-lookup", "resolve-addresses") void resolve_addresses(int32_t net, const char *name, uint32_t len, void *ret);
SOCKETS("ip-name-lookup", "[method]resolve-address-stream.resolve-next-address") void next_address(int32_t self, void *ret);
SOCKETS("ip-name-lookup", "[method]resolve-address-stream.subscribe") int32_t resolve_subscribe(int32_t self);
SOCKETS("ip-name-lookup", "[resource-drop]resolve-address-stream") void resolve_drop(int32_t self);
IO("poll", "[method]pollable.block") void pollable_block(int32_t self);
IO("poll", "[resource-drop]pollable") void pollable_drop(int32_t self);
IO("poll", "poll") void poll_list(const int32_t *pollables, uint32_t len, void *ret);
IO("streams", "[method]input-stream.subscribe") int32_t input_subscribe(int32_t self);
IO("streams", "[method]output-stream.blocking-write-and-flush")
void write_and_flush(int32_t self, const char *data, uint32_t len, void *ret);
IO("streams", "[method]input-stream.blocking-read") void blocking_read(int32_t self, int64_t len, void *ret);
IO("streams", "[resource-drop]input-stream") void input_drop(int32_t self);
IO("streams", "[resource-drop]output-stream") void output_drop(int32_t self);

enum { WOULD_BLOCK = 8 };

static void wait_for(int32_t tcp) {
    int32_t ready = tcp_subscribe(tcp);
    pollable_block(ready);
    pollable_drop(ready);
}

/* Reports one blocking-read, after a poll on the stream's pollable said it would not wait: its
 * bytes (1), or how the stream ended (0). */
static int read_chunk(int32_t input) {
    int32_t ready = input_subscribe(input);
    poll_list(&ready, 1, ret);
    free(*(void **)ret); /* the list<u32> of ready indexes: the one pollable */
    pollable_drop(ready);
    blocking_read(input, 1024, ret);
    if (ret[0]) say("end: %s", ret[4] == 1 ? "closed" : "failed");
    else say("read: %.*s", (int)*(uint32_t *)(ret + 8), *(const char **)(ret + 4));
    if (!ret[0]) free(*(uint8_t **)(ret + 4));
    return !ret[0];
}

/* Reports a result<_, error-code> in `ret` (the code at 1); 1 if it is ok. */
static int step(const char *what) {
    if (ret[0]) say("%s: err %u", what, ret[1]);
    else say("%s: ok", what);
    return !ret[0];
}

/* Calls `call` (finish-connect, accept: a result with its payload or code at 4) until it stops
 * answering would-block, waiting for the socket in between. */
static void when_ready(int32_t tcp, void (*call)(int32_t self, void *ret)) {
    for (;;) {
        wait_for(tcp);
        call(tcp, ret);
        if (!ret[0] || ret[4] != WOULD_BLOCK) return;
    }
}

static void converse(int32_t tcp, int32_t net, const uint8_t ip[4], uint32_t port, const char *message,
                     uint32_t len) {
    start_connect(tcp, net, 0, (int32_t)port, ip[0], ip[1], ip[2], ip[3], 0, 0, 0, 0, 0, 0, ret);
    if (ret[0]) {
        say("start-connect: err %u", ret[1]);
        return;
    }
    say("start-connect: ok");
    if (!message) return; /* abandon: the socket is dropped while it connects */
    when_ready(tcp, finish_connect);
    if (ret[0]) {
        say("finish-connect: err %u", ret[4]);
        return;
    }
    int32_t input = *(int32_t *)(ret + 4), output = *(int32_t *)(ret + 8);
    say("finish-connect: ok");
    write_and_flush(output, message, len, ret);
    say("write: %s", ret[0] ? "err" : "ok");
    while (read_chunk(input)) continue;
    input_drop(input);
    output_drop(output);
}

static const uint8_t LOOPBACK[4] = {127, 0, 0, 1};

static void dial(int32_t net, const uint8_t ip[4], uint32_t port, const char *message, uint32_t len) {
    create_tcp(0, ret);
    int32_t tcp = made("create tcp ipv4");
    if (tcp >= 0) {
        converse(tcp, net, ip, port, message, len);
        tcp_drop(tcp);
    }
}

EXPORT("connect") uint8_t *connect(uint32_t port, const char *message, uint32_t len) {
    int32_t net = instance_network();
    dial(net, LOOPBACK, port, message, len);
    network_drop(net);
    return said();
}

/* The first IPv4 address `name` resolves to, into `ip` (waiting while the lookup would block);
 * 1 if there is one. Reports the lookup's outcome without the address (it differs by host). */
static int resolve(int32_t net, const char *name, uint32_t len, uint8_t ip[4]) {
    resolve_addresses(net, name, len, ret);
    int32_t stream = made("resolve");
    int found = 0;
    while (stream >= 0 && !found) {
        next_address(stream, ret); /* result<option<ip-address>>: error or option tag at 2, case at 4 */
        if (ret[0] && ret[2] == WOULD_BLOCK) {
            int32_t ready = resolve_subscribe(stream);
            pollable_block(ready);
            pollable_drop(ready);
            continue;
        }
        if (ret[0]) say("next address: err %u", ret[2]);
        if (ret[0] || !ret[2]) break;
        found = ret[4] == 0;
        memcpy(ip, ret + 6, 4);
    }
    if (stream >= 0) {
        say("ipv4 address: %s", found ? "found" : "none");
        resolve_drop(stream);
    }
    return found;
}

EXPORT("connect-name")
uint8_t *connect_name(char *name, uint32_t name_len, uint32_t port, const char *message, uint32_t len) {
    int32_t net = instance_network();
    uint8_t ip[4];
    if (resolve(net, name, name_len, ip)) dial(net, ip, port, message, len);
    network_drop(net);
    if (name_len) free(name);
    return said();
}

EXPORT("cabi_post_connect-name") void post_connect_name(uint8_t *result) { free_lines(result); }

EXPORT("cabi_post_connect") void post_connect(uint8_t *result) { free_lines(result); }

EXPORT("abandon") uint8_t *abandon(uint32_t port) { return connect(port, NULL, 0); }

EXPORT("cabi_post_abandon") void post_abandon(uint8_t *result) { free_lines(result); }

/* A TCP socket bound to 127.0.0.1:port whose start-listen was called, a line per step: the socket
 * if every step was ok, else -1 (the socket dropped). */
static int32_t listening(int32_t net, uint32_t port) {
    create_tcp(0, ret);
    int32_t tcp = made("create tcp ipv4");
    if (tcp < 0) return -1;
    tcp_start_bind(tcp, net, 0, (int32_t)port, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, ret);
    if (step("tcp start-bind")) {
        tcp_finish_bind(tcp, ret);
        if (step("tcp finish-bind")) {
            start_listen(tcp, ret);
            if (step("start-listen")) return tcp;
        }
    }
    tcp_drop(tcp);
    return -1;
}

EXPORT("listen") uint8_t *listen_on(uint32_t port) {
    int32_t net = instance_network();
    int32_t tcp = listening(net, port);
    if (tcp >= 0) tcp_drop(tcp);
    create_udp(0, ret);
    int32_t udp = made("create udp ipv4");
    if (udp >= 0) {
        udp_start_bind(udp, net, 0, (int32_t)port, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, ret);
        step("udp start-bind");
        udp_drop(udp);
    }
    network_drop(net);
    return said();
}

EXPORT("cabi_post_listen") void post_listen(uint8_t *result) { free_lines(result); }

static int32_t server = -1; /* the socket `serve` listens with, for `echo-one` */

EXPORT("serve") uint8_t *serve(uint32_t port) {
    int32_t net = instance_network();
    int32_t tcp = listening(net, port);
    if (tcp >= 0) {
        finish_listen(tcp, ret);
        if (step("finish-listen")) server = tcp;
        else tcp_drop(tcp);
    }
    network_drop(net);
    return said();
}

EXPORT("cabi_post_serve") void post_serve(uint8_t *result) { free_lines(result); }

EXPORT("echo-one") uint8_t *echo_one(void) {
    when_ready(server, tcp_accept);
    if (ret[0]) {
        say("accept: err %u", ret[4]);
        return said();
    }
    int32_t client = *(int32_t *)(ret + 4), input = *(int32_t *)(ret + 8), output = *(int32_t *)(ret + 12);
    say("accept: ok");
    char heard[1024] = "echo: ";
    uint32_t len = 6;
    for (;;) {
        blocking_read(input, (int64_t)(sizeof heard - len), ret);
        if (ret[0]) break;
        uint32_t got = *(uint32_t *)(ret + 8);
        memcpy(heard + len, *(const char **)(ret + 4), got);
        len += got;
        free(*(uint8_t **)(ret + 4));
    }
    say("read: %.*s, then %s", (int)len - 6, heard + 6, ret[4] == 1 ? "closed" : "failed");
    write_and_flush(output, heard, len, ret);
    say("write: %s", ret[0] ? "err" : "ok");
    input_drop(input);
    output_drop(output);
    tcp_drop(client);
    tcp_drop(server);
    server = -1;
    return said();
}

EXPORT("cabi_post_echo-one") void post_echo_one(uint8_t *result) { free_lines(result); }
