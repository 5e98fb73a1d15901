/* A native component calling wasi:sockets@0.2 itself (sockprobe.wit) where no network is granted
 * (wasmtime-py's WASI context cannot grant one): what creating sockets and looking names up
 * answer, reported as lines so two runtimes can be compared. */
#include "probe.h"

#define SOCKETS(interface, name) IMPORT("wasi:sockets/" interface "@0.2.12", name)

SOCKETS("instance-network", "instance-network") int32_t instance_network(void);
SOCKETS("network", "[resource-drop]network") void network_drop(int32_t self);
SOCKETS("tcp-create-socket", "create-tcp-socket") void create_tcp(int32_t family, void *ret);
SOCKETS("udp-create-socket", "create-udp-socket") void create_udp(int32_t family, void *ret);
SOCKETS("tcp", "[resource-drop]tcp-socket") void tcp_drop(int32_t self);
SOCKETS("udp", "[resource-drop]udp-socket") void udp_drop(int32_t self);
SOCKETS("ip-name-lookup", "resolve-addresses")
void resolve_addresses(int32_t net, const char *name, uint32_t len, void *ret);
SOCKETS("ip-name-lookup", "[resource-drop]resolve-address-stream") void resolve_drop(int32_t self);

static void probe_run(void) {
    for (int32_t family = 0; family < 2; family++) {
        create_tcp(family, ret);
        int32_t tcp = made(family ? "create tcp ipv6" : "create tcp ipv4");
        if (tcp >= 0) tcp_drop(tcp);
        create_udp(family, ret);
        int32_t udp = made(family ? "create udp ipv6" : "create udp ipv4");
        if (udp >= 0) udp_drop(udp);
    }
    int32_t net = instance_network();
    static const char *names[] = {"localhost", "example.com", "127.0.0.1", "[::1]", "not a name!", ""};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char what[64];
        snprintf(what, sizeof what, "resolve \"%s\"", names[i]);
        resolve_addresses(net, names[i], strlen(names[i]), ret);
        int32_t stream = made(what);
        if (stream >= 0) resolve_drop(stream);
    }
    network_drop(net);
}

EXPORT("probe") uint8_t *probe(void) {
    probe_run();
    return said();
}

EXPORT("cabi_post_probe") void post_probe(uint8_t *result) { free_lines(result); }
