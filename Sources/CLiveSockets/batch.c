#define _GNU_SOURCE
#include "CLiveSockets.h"
#include <string.h>

enum { ddnslab_batch_max = 64 };

int ddnslab_receive_batch(int fd, ddnslab_datagram *datagrams, unsigned int count) {
    struct mmsghdr headers[ddnslab_batch_max];
    struct iovec vectors[ddnslab_batch_max];
    if (count > ddnslab_batch_max) count = ddnslab_batch_max;
    memset(headers, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = datagrams[i].base;
        vectors[i].iov_len = datagrams[i].capacity;
        headers[i].msg_hdr.msg_name = &datagrams[i].peer;
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(fd, headers, count, MSG_DONTWAIT, NULL);
    for (int i = 0; i < got; i++) {
        datagrams[i].length = (headers[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : headers[i].msg_len;
        if (headers[i].msg_hdr.msg_namelen != sizeof(struct sockaddr_in)) datagrams[i].peer.sin_family = 0;
    }
    return got;
}

int ddnslab_send_batch(int fd, ddnslab_datagram *datagrams, unsigned int count) {
    struct mmsghdr headers[ddnslab_batch_max];
    struct iovec vectors[ddnslab_batch_max];
    unsigned int done = 0;
    while (done < count) {
        unsigned int chunk = count - done > ddnslab_batch_max ? ddnslab_batch_max : count - done;
        memset(headers, 0, sizeof(struct mmsghdr) * chunk);
        for (unsigned int i = 0; i < chunk; i++) {
            vectors[i].iov_base = datagrams[done + i].base;
            vectors[i].iov_len = datagrams[done + i].length;
            headers[i].msg_hdr.msg_name = &datagrams[done + i].peer;
            headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int sent = sendmmsg(fd, headers, chunk, MSG_DONTWAIT);
        if (sent <= 0) return done > 0 ? (int)done : -1;
        done += (unsigned int)sent;
    }
    return (int)done;
}
