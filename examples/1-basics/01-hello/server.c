/* A classic TCP server: it greets one client and exits. Its twin, server.ts,
 * is the same program line by line in TypeScript.
 * Usage: server [port]  (port 0 or none: the kernel picks one, printed) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
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

  struct sockaddr_in cli;
  socklen_t len = sizeof cli;
  int newfd = accept(sockfd, (struct sockaddr *)&cli, &len);
  printf("server: got connection from %s\n", inet_ntoa(cli.sin_addr));
  send(newfd, "Hello, world!", 13, 0);
  close(newfd);
  close(sockfd);
  return 0;
}
