/* The classic UDP echo client: it sends each message as one datagram and
 * waits for the echo, at most two seconds (UDP may lose it: nobody resends).
 * recvfrom says who answered, and the client checks it was the server.
 * Its twin, client.ts, is the same program line by line in TypeScript.
 * Usage: client host port [message...]  (no messages: three of its own) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc < 3) { fprintf(stderr, "usage: client host port [message...]\n"); return 2; }
  char *defaults[] = {"one", "two two", "three three three"};
  char **messages = argc > 3 ? argv + 3 : defaults;
  int count = argc > 3 ? argc - 3 : 3;
  int sockfd = socket(AF_INET, SOCK_DGRAM, 0);
  struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
  setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  struct sockaddr_in srv = {0};
  srv.sin_family = AF_INET;
  srv.sin_port = htons(atoi(argv[2]));
  srv.sin_addr.s_addr = inet_addr(argv[1]);

  char buf[65536];
  int ok = 0;
  for (int i = 0; i < count; i++) {
    size_t len = strlen(messages[i]);
    sendto(sockfd, messages[i], len, 0, (struct sockaddr *)&srv, sizeof srv);
    struct sockaddr_in from;
    socklen_t fromlen = sizeof from;
    ssize_t n = recvfrom(sockfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
    if (n == -1) { perror("recvfrom"); return 1; } /* EAGAIN after 2 s: lost */
    int same = (size_t)n == len && memcmp(buf, messages[i], len) == 0;
    int fromServer = from.sin_addr.s_addr == srv.sin_addr.s_addr && from.sin_port == srv.sin_port;
    printf("client: sent %zu bytes, got %zd back from %s:%d, %s\n", len, n, inet_ntoa(from.sin_addr),
           ntohs(from.sin_port), same && fromServer ? "the same datagram" : "NOT the same");
    ok += same && fromServer;
  }
  close(sockfd);
  printf("client: %d of %d datagrams echoed intact\n", ok, count);
  return ok == count ? 0 : 1;
}
