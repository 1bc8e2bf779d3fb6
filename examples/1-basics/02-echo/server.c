/* The classic iterative TCP echo server: one client at a time, each echoed
 * until it closes, then the next. Its twin, server.ts, is the same program
 * line by line in TypeScript.
 * Usage: server [port [clients]]  (port 0 or none: the kernel picks one,
 * printed; after `clients` clients it exits, without it it serves forever) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int clients = argc > 2 ? atoi(argv[2]) : -1;
  signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is EPIPE, not death */
  int sockfd = socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);

  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sockfd, (struct sockaddr *)&addr, sizeof addr) == -1) { perror("bind"); return 1; }
  listen(sockfd, 10);

  struct sockaddr_in me;
  socklen_t melen = sizeof me;
  getsockname(sockfd, (struct sockaddr *)&me, &melen);
  printf("server: listening on port %d\n", ntohs(me.sin_port));
  fflush(stdout);

  char buf[4096];
  for (int served = 0; clients < 0 || served < clients; served++) {
    struct sockaddr_in cli;
    socklen_t len = sizeof cli;
    int newfd = accept(sockfd, (struct sockaddr *)&cli, &len);
    printf("server: client %s:%d connected\n", inet_ntoa(cli.sin_addr), ntohs(cli.sin_port));
    fflush(stdout);
    long total = 0;
    ssize_t n;
    while ((n = read(newfd, buf, sizeof buf)) > 0) { /* 0: the client closed */
      ssize_t off = 0, w = 0;
      while (off < n && (w = write(newfd, buf + off, n - off)) > 0) off += w; /* write may be short */
      if (w < 0) break; /* ECONNRESET, EPIPE: this client is gone */
      total += n;
    }
    printf("server: echoed %ld bytes, client closed\n", total);
    fflush(stdout);
    close(newfd);
  }
  close(sockfd);
  return 0;
}
