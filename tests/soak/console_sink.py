"""soak.sh's console listener: accepts keel's virtio-console connections one after another, logs each one's byte count."""
import socket
import sys


def main():
    path, log = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        n = 0
        with conn:
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                n += len(b)
        with open(log, "a") as f:
            f.write("%d\n" % n)


if __name__ == "__main__":
    main()
