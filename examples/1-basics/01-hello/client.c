/* A classic TCP client: it connects, prints what the server says, and exits.
 * Its twin, client.ts, is the same program line by line in TypeScript.
 * Usage: client host port */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc != 3) { fprintf(stderr, "usage: client host port\n"); return 2; }
  int sockfd = socket(AF_INET, SOCK_STREAM, 0);

  struct sockaddr_in srv = {0};
  srv.sin_family = AF_INET;
  srv.sin_port = htons(atoi(argv[2]));
  srv.sin_addr.s_addr = inet_addr(argv[1]);
  if (connect(sockfd, (struct sockaddr *)&srv, sizeof srv) == -1) { perror("connect"); return 1; }

  char buf[100];
  ssize_t n = recv(sockfd, buf, sizeof buf - 1, 0);
  buf[n] = '\0';
  printf("client: received '%s'\n", buf);
  close(sockfd);
  return 0;
}
