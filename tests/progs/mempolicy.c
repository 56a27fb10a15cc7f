/* mempolicy.c - print this process's memory policy as get_mempolicy(2) gives it:
 *     mode=NAME nodes=LIST
 * NAME: default, preferred, bind, interleave, local, preferred_many, weighted_interleave or the number;
 * LIST: the policy's nodes ("0-1,4"; "none" when empty). Exit status 1 when get_mempolicy fails. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <numaif.h>

#define BITS 1024
#define FLAGS ((1 << 15) | (1 << 14) | (1 << 13)) /* MPOL_F_STATIC_NODES, _RELATIVE_NODES, _NUMA_BALANCING */

int main(void)
{
	static const char *const names[] = {"default", "preferred", "bind", "interleave", "local", "preferred_many",
					    "weighted_interleave"};
	unsigned long mask[BITS / (8 * sizeof(unsigned long))];
	int mode;
	memset(mask, 0, sizeof(mask));
	if (get_mempolicy(&mode, mask, BITS + 1, NULL, 0) < 0) {
		fprintf(stderr, "mempolicy: get_mempolicy: %s\n", strerror(errno));
		return 1;
	}
	int m = mode & ~FLAGS;
	if (m >= 0 && m < (int)(sizeof(names) / sizeof(names[0])))
		printf("mode=%s", names[m]);
	else
		printf("mode=%d", m);
	printf("%s nodes=", mode & (1 << 13) ? " balancing" : "");
	int first = 1;
	for (int i = 0; i < BITS; i++) {
		if (!(mask[i / (8 * sizeof(long))] >> (i % (8 * sizeof(long))) & 1))
			continue;
		int j = i;
		while (j + 1 < BITS && (mask[(j + 1) / (8 * sizeof(long))] >> ((j + 1) % (8 * sizeof(long))) & 1))
			j++;
		printf(first ? "%d" : ",%d", i);
		if (j > i)
			printf("-%d", j);
		first = 0;
		i = j;
	}
	printf("%s\n", first ? "none" : "");
	return 0;
}
