/* The classic TCP echo client: it sends each line, reads until the whole
 * echo is back (read may return less than was sent), and checks it.
 * Its twin, client.ts, is the same program line by line in TypeScript.
 * Usage: client host port [line...]  (no lines: three of its own) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc < 3) { fprintf(stderr, "usage: client host port [line...]\n"); return 2; }
  char *defaults[] = {"hello", "echo, echo", "the third line"};
  char **lines = argc > 3 ? argv + 3 : defaults;
  int count = argc > 3 ? argc - 3 : 3;
  int sockfd = socket(AF_INET, SOCK_STREAM, 0);

  struct sockaddr_in srv = {0};
  srv.sin_family = AF_INET;
  srv.sin_port = htons(atoi(argv[2]));
  srv.sin_addr.s_addr = inet_addr(argv[1]);
  if (connect(sockfd, (struct sockaddr *)&srv, sizeof srv) == -1) { perror("connect"); return 1; }

  char out[1024], in[1024];
  int ok = 0;
  for (int i = 0; i < count; i++) {
    int len = snprintf(out, sizeof out, "%s\n", lines[i]); /* the line and its newline, no NUL */
    write(sockfd, out, len);
    int got = 0;
    while (got < len) { /* a stream has no boundaries: read until all len bytes are back */
      ssize_t n = read(sockfd, in + got, len - got);
      if (n <= 0) { fprintf(stderr, "client: the server closed after %d of %d bytes\n", got, len); return 1; }
      got += n;
    }
    int same = memcmp(in, out, len) == 0;
    printf("client: sent %d bytes, echo %s: %.*s\n", len, same ? "matches" : "DIFFERS", len - 1, in);
    ok += same;
  }
  close(sockfd);
  printf("client: %d of %d lines echoed intact\n", ok, count);
  return ok == count ? 0 : 1;
}
