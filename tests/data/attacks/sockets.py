# Tries a socket of every family, a socket pair, DNS, and the UNIX socket named in HOST_SOCKET
# (a world-writable socket the test listens on); returns how many worked.
import socket

HOST_SOCKET = "PLACEHOLDER"
FAMILIES = [(socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_UNIX, socket.SOCK_DGRAM),
            (socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
            (socket.AF_INET6, socket.SOCK_DGRAM), (socket.AF_NETLINK, socket.SOCK_RAW),
            (socket.AF_PACKET, socket.SOCK_RAW)]


def attempt(action):
    try:
        action()
        return 1.0
    except OSError:
        return 0.0


def connect_host_socket():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(HOST_SOCKET)


def f(x):
    worked = sum(attempt(lambda family=family: socket.socket(*family).close()) for family in FAMILIES)
    worked += attempt(socket.socketpair)
    worked += attempt(lambda: socket.getaddrinfo("localhost", 80))
    worked += attempt(connect_host_socket)
    return [worked] * len(x)
