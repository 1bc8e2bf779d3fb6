/* The C original of examples/1-basics/03-echo-server.ts, for side-by-side reading.
 * Build: cc -O2 -o echo-server examples/1-basics/03-echo-server.c */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7000;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) == -1) { perror("bind"); return 1; }
  listen(lfd, 128);

  signal(SIGPIPE, SIG_IGN); /* EPIPE as an error, not a fatal signal */
  char buf[4096];
  for (;;) {
    int cfd = accept(lfd, NULL, NULL); /* blocks until a client connects */
    ssize_t n, w = 0;
    while ((n = read(cfd, buf, sizeof buf)) > 0) { /* 0: the client closed */
      for (ssize_t off = 0; off < n && (w = write(cfd, buf + off, n - off)) > 0;) off += w;
      if (w < 0) break; /* ECONNRESET, EPIPE: this client is gone */
    }
    close(cfd);
  }
}
