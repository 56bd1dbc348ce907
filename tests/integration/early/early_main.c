/* early_main.c - checks what early_lib's constructor observed. */
#include <stdio.h>

extern int early_result;

int main(void)
{
    printf("early constructor result: %d (0 = notification named the alias)\n", early_result);
    return early_result == 0 ? 0 : 1;
}
