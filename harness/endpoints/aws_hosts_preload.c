/* LD_PRELOAD library injected into Lambda processes by the harness's host executor
 * (harness/endpoints/preload.py builds it; README "AWS hostnames inside Lambda").
 *
 * getaddrinfo: a name that is an AWS hostname (`amazonaws.com` or a name under it, any case, with or without
 *   the trailing dot) resolves to HARNESS_AWS_ADDRESS, a loopback address nothing else uses; any other name
 *   is passed to the C library untouched.
 * connect: HARNESS_AWS_ADDRESS:443 is connected to HARNESS_AWS_HTTPS (the engine's TLS front),
 *   HARNESS_AWS_ADDRESS:80 to HARNESS_AWS_HTTP (the engine's gateway); every other address is untouched.
 * Without those variables the library changes nothing. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const char AWS_DOMAIN[] = "amazonaws.com";

typedef int (*getaddrinfo_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

static struct in_addr aws_address;
static struct sockaddr_in https_target, http_target;
static int configured, https_configured, http_configured;

static int parse_target(const char *text, struct sockaddr_in *target) {
    char host[64];
    const char *colon = text ? strrchr(text, ':') : NULL;
    if (colon == NULL || (size_t)(colon - text) >= sizeof host) return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    memset(target, 0, sizeof *target);
    target->sin_family = AF_INET;
    target->sin_port = htons((unsigned short)atoi(colon + 1));
    return inet_pton(AF_INET, host, &target->sin_addr) == 1 && target->sin_port != 0;
}

__attribute__((constructor)) static void read_configuration(void) {
    const char *address = getenv("HARNESS_AWS_ADDRESS");
    configured = address != NULL && inet_pton(AF_INET, address, &aws_address) == 1;
    https_configured = configured && parse_target(getenv("HARNESS_AWS_HTTPS"), &https_target);
    http_configured = configured && parse_target(getenv("HARNESS_AWS_HTTP"), &http_target);
}

/* `amazonaws.com` itself or `<labels>.amazonaws.com`, case-insensitive, one trailing dot allowed. */
static int is_aws_hostname(const char *name) {
    size_t length = strlen(name), domain = sizeof AWS_DOMAIN - 1;
    if (length > 0 && name[length - 1] == '.') length--;
    if (length < domain || strncasecmp(name + length - domain, AWS_DOMAIN, domain) != 0) return 0;
    return length == domain || name[length - domain - 1] == '.';
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    static getaddrinfo_fn real_getaddrinfo;
    if (real_getaddrinfo == NULL) real_getaddrinfo = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    if (!configured || node == NULL || !is_aws_hostname(node)) return real_getaddrinfo(node, service, hints, res);
    struct addrinfo numeric = {0};
    if (hints != NULL) numeric = *hints;
    if (numeric.ai_family == AF_INET6) return EAI_NONAME; /* IPv6 only: AWS's loopback stand-in is IPv4 */
    numeric.ai_family = AF_INET;
    numeric.ai_flags = (numeric.ai_flags & (AI_PASSIVE | AI_CANONNAME | AI_NUMERICSERV)) | AI_NUMERICHOST;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &aws_address, text, sizeof text);
    return real_getaddrinfo(text, service, &numeric, res);
}

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    static connect_fn real_connect;
    if (real_connect == NULL) real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
    if (configured && address != NULL && address->sa_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *inet = (const struct sockaddr_in *)address;
        if (inet->sin_addr.s_addr == aws_address.s_addr) {
            unsigned short port = ntohs(inet->sin_port);
            if (port == 443 && https_configured) return real_connect(fd, (const struct sockaddr *)&https_target, sizeof https_target);
            if (port == 80 && http_configured) return real_connect(fd, (const struct sockaddr *)&http_target, sizeof http_target);
        }
    }
    return real_connect(fd, address, length);
}
