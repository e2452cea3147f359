/* main.c — placeholder until the CLI dispatcher lands. */
int main(void) { return 0; }
