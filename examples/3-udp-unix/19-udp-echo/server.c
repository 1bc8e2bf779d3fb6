/* The classic UDP echo server: no listen, no accept, no connection. Each
 * recvfrom returns one datagram and fills in who sent it; sendto sends the
 * datagram back to that address. One socket serves every client.
 * Its twin, server.ts, is the same program line by line in TypeScript.
 * Usage: server [port [datagrams]]  (port 0 or none: the kernel picks one,
 * printed; after `datagrams` datagrams it exits, without it it serves forever) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int datagrams = argc > 2 ? atoi(argv[2]) : -1;
  int sockfd = socket(AF_INET, SOCK_DGRAM, 0);

  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sockfd, (struct sockaddr *)&addr, sizeof addr) == -1) { perror("bind"); return 1; }

  struct sockaddr_in me;
  socklen_t melen = sizeof me;
  getsockname(sockfd, (struct sockaddr *)&me, &melen);
  printf("server: listening on port %d\n", ntohs(me.sin_port));
  fflush(stdout);

  char buf[65536];
  for (int served = 0; datagrams < 0 || served < datagrams; served++) {
    struct sockaddr_in cli;
    socklen_t len = sizeof cli; /* in: the room; out: the sender's real length */
    ssize_t n = recvfrom(sockfd, buf, sizeof buf, 0, (struct sockaddr *)&cli, &len);
    if (n == -1) { perror("recvfrom"); return 1; }
    printf("server: %zd bytes from %s:%d\n", n, inet_ntoa(cli.sin_addr), ntohs(cli.sin_port));
    fflush(stdout);
    sendto(sockfd, buf, n, 0, (struct sockaddr *)&cli, len);
  }
  close(sockfd);
  return 0;
}
