// Batch datagram calls and epoll for the live host's UDP path (LiveHost/RawDatagrams.swift):
// what Swift's Glibc module leaves out (recvmmsg and sendmmsg need _GNU_SOURCE).
#ifndef CLIVESOCKETS_H
#define CLIVESOCKETS_H
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

/// One datagram of a batch: its peer, its buffer, and (after a receive) its length.
typedef struct {
    struct sockaddr_in peer;
    void *base;
    size_t capacity;
    size_t length;
} ddnslab_datagram;

/// Receives up to `count` datagrams without blocking; the number received, or -1 (errno).
int ddnslab_receive_batch(int fd, ddnslab_datagram *datagrams, unsigned int count);

/// Sends `count` datagrams (each `length` bytes from `base` to `peer`) without blocking; the number
/// the kernel took, or -1 (errno) when it took none.
int ddnslab_send_batch(int fd, ddnslab_datagram *datagrams, unsigned int count);

#endif
