/* CProgramTest's program: "fail CODE" prints a line to each stream and exits CODE; "sleep" sleeps a minute
 * and prints its pid first; anything else prints its arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "fail")) {
        printf("to stdout\n");
        fflush(stdout);
        fprintf(stderr, "to stderr\n");
        return atoi(argv[2]);
    }
    if (argc == 2 && !strcmp(argv[1], "sleep")) {
        printf("pid %d\n", (int) getpid());
        fflush(stdout);
        sleep(60);
        return 0;
    }
    for (int i = 1; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
    return 0;
}
