/* plan_format.c - the plan and the topology as text (people), JSON (programs) and INI (a policy). */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "nodelist.h"
#include "plan.h"
#include "keys.h"
#include "privs.h"

#define LIST_LEN 4096

static void json_set_array(FILE *f, hwloc_const_bitmap_t set)
{
	unsigned i;
	int first = 1;
	fputc('[', f);
	hwloc_bitmap_foreach_begin(i, set) {
		fprintf(f, "%s%u", first ? "" : ",", i);
		first = 0;
	}
	hwloc_bitmap_foreach_end();
	fputc(']', f);
}

static const char *action_name(enum knob_action a)
{
	return a == KNOB_SET ? "set" : a == KNOB_UNSET ? "unset" : "none";
}

void plan_format_bytes(unsigned long long b, char *buf, size_t len)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)b;
	int i = 0;
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void knob_text(FILE *f, const char *name, const struct knob_decision *d)
{
	if (d->action == KNOB_SET)
		fprintf(f, "  %-16s set to %ld: %s\n", name, d->value, d->reason);
	else if (d->action == KNOB_UNSET)
		fprintf(f, "  %-16s removed: %s\n", name, d->reason);
	else
		fprintf(f, "  %-16s not set: %s\n", name, d->reason);
}

void plan_print_text(FILE *f, const struct plan *pl, const struct topo *t, char *const *argv)
{
	char a[LIST_LEN], b[LIST_LEN];
	fprintf(f, "numarun plan (topology: %s%s)\n", t->source, t->this_system ? ", this system" : "");
	fprintf(f, "  %-16s CPUs %s, memory nodes %s\n", "allowed:", nodelist_format(t->allowed_cpus, a, sizeof(a)),
		nodelist_format(t->allowed_nodes, b, sizeof(b)));
	fprintf(f, "  %-16s %s, %s\n", "strategy:", policy_strategy_name(pl->strategy),
		pl->smt ? "whole cores first, then SMT siblings" : "one PU per core (no SMT siblings)");
	if (hwloc_bitmap_iszero(pl->cpu_nodes))
		fprintf(f, "  %-16s %s (%u) in no NUMA node\n", "cpus:", nodelist_format(pl->cpus, a, sizeof(a)), pl->ncpus);
	else
		fprintf(f, "  %-16s %s (%u) on node%s %s\n", "cpus:", nodelist_format(pl->cpus, a, sizeof(a)), pl->ncpus,
			hwloc_bitmap_weight(pl->cpu_nodes) == 1 ? "" : "s", nodelist_format(pl->cpu_nodes, b, sizeof(b)));
	hwloc_bitmap_t local = hwloc_bitmap_alloc(); /* where local memory comes from */
	hwloc_bitmap_or(local, pl->cpu_nodes, pl->nodeless_mem);
	fprintf(f, "  %-16s", "order:");
	for (unsigned i = 0; i < pl->ncpus; i++)
		fprintf(f, " %u", pl->order[i]);
	fputc('\n', f);
	if (pl->mem == MEM_LOCAL)
		fprintf(f, "  %-16s local (node%s %s)\n", "memory:", hwloc_bitmap_weight(local) == 1 ? "" : "s",
			nodelist_format(local, a, sizeof(a)));
	else if (pl->mem == MEM_DEFAULT)
		fprintf(f, "  %-16s not set: the target keeps the memory policy it inherits\n", "memory:");
	else
		fprintf(f, "  %-16s %s on node%s %s%s%s\n", "memory:", policy_mem_name(pl->mem),
			hwloc_bitmap_weight(pl->mem_nodes) == 1 ? "" : "s", nodelist_format(pl->mem_nodes, a, sizeof(a)),
			pl->mpol == MPOL_PREFERRED_MANY ? " (MPOL_PREFERRED_MANY)" : "",
			pl->balancing ? ", with NUMA balancing (MPOL_F_NUMA_BALANCING)" : "");
	hwloc_bitmap_free(local);
	fprintf(f, "  %-16s %s\n", "NUMA balancing:", pl->kernel_balancing_why);
	knob_text(f, "GOMAXPROCS:", &pl->gomaxprocs);
	if (pl->gomaxprocs_managed >= 0)
		fprintf(f, "  %-16s %s %s GOMAXPROCS itself\n", "Go runtime:", pl->go_version[0] ? pl->go_version : "version unknown",
			pl->gomaxprocs_managed ? "manages" : "does not manage");
	knob_text(f, "GOMEMLIMIT:", &pl->gomemlimit);
	knob_text(f, "OMP_NUM_THREADS:", &pl->omp);
	if (argv && argv[0]) {
		fprintf(f, "  %-16s", "command:");
		for (int i = 0; argv[i]; i++)
			fprintf(f, " %s", argv[i]);
		fputc('\n', f);
	}
	if (t->allocator[0])
		fprintf(f, "  %-16s %s\n", "allocator:", t->allocator);
	if (pl->relocated[0])
		fprintf(f, "  %-16s %s\n", "re-planned:", pl->relocated);
	if (pl->dropped[0])
		fprintf(f, "  %-16s %s\n", "left out:", pl->dropped);
	for (int i = 0; i < pl->nnotes; i++)
		fprintf(f, "  %-16s %s\n", "note:", pl->notes[i]);
}

void plan_print_resident(FILE *f, const struct policy *p)
{
	if (!policy_resident(p)) {
		fprintf(f, "  %-16s no: numarun execs the command in its own process\n", "resident:");
		return;
	}
	fprintf(f, "  %-16s yes: threads %s", "resident:", policy_threads_name(p->threads));
	if (p->monitor)
		fprintf(f, ", monitor every %u ms (source %s, action %s, threshold %g%%)", p->interval_ms,
			policy_source_name(p->source), policy_action_name(p->action), p->threshold * 100);
	fputc('\n', f);
}

static void json_knob_fields(FILE *f, const struct knob_decision *d)
{
	fprintf(f, "\"action\":\"%s\",\"value\":", action_name(d->action));
	if (d->action == KNOB_SET)
		fprintf(f, "%ld", d->value);
	else
		fputs("null", f);
	fputs(",\"reason\":", f);
	json_string(f, d->reason);
}

static void json_knob(FILE *f, const struct knob_decision *d)
{
	fputc('{', f);
	json_knob_fields(f, d);
	fputc('}', f);
}

void plan_print_json(FILE *f, const struct plan *pl, const struct topo *t, const struct policy *p,
		     char *const *argv)
{
	char a[LIST_LEN];
	fputs("{\"numarun_plan\":1,\"topology\":{\"source\":", f);
	json_string(f, strcmp(t->source, "live") == 0 ? "live" : strncmp(t->source, "synthetic:", 10) == 0 ? "synthetic" : "xml");
	fputs(",\"file\":", f);
	if (strcmp(t->source, "live") == 0)
		fputs("null", f);
	else
		json_string(f, t->source);
	fprintf(f, ",\"this_system\":%s},", t->this_system ? "true" : "false");
	fprintf(f, "\"strategy\":\"%s\",\"smt\":%s,", policy_strategy_name(pl->strategy), pl->smt ? "true" : "false");
	fputs("\"allowed\":{\"cpus\":", f);
	json_string(f, nodelist_format(t->allowed_cpus, a, sizeof(a)));
	fputs(",\"nodes\":", f);
	json_string(f, nodelist_format(t->allowed_nodes, a, sizeof(a)));
	fputs("},\"cpus\":", f);
	json_string(f, nodelist_format(pl->cpus, a, sizeof(a)));
	fprintf(f, ",\"cpu_count\":%u,\"cpu_order\":[", pl->ncpus);
	for (unsigned i = 0; i < pl->ncpus; i++)
		fprintf(f, "%s%u", i ? "," : "", pl->order[i]);
	fputs("],\"nodes\":", f);
	json_set_array(f, pl->cpu_nodes);
	fprintf(f, ",\"memory\":{\"policy\":\"%s\",\"nodes\":", policy_mem_name(pl->mem));
	hwloc_bitmap_t local = hwloc_bitmap_alloc(); /* where local memory comes from */
	hwloc_bitmap_or(local, pl->cpu_nodes, pl->nodeless_mem);
	json_set_array(f, pl->mem == MEM_LOCAL ? local : pl->mem_nodes);
	hwloc_bitmap_free(local);
	fprintf(f, ",\"balancing\":%s,\"kernel_balancing\":%s,\"kernel_balancing_reason\":", pl->balancing ? "true" : "false",
		pl->kernel_balancing < 0 ? "null" : pl->kernel_balancing ? "true" : "false");
	json_string(f, pl->kernel_balancing_why);
	fputc('}', f);
	fprintf(f, ",\"resident\":{\"enabled\":%s,\"threads\":\"%s\",\"monitor\":", policy_resident(p) ? "true" : "false",
		policy_threads_name(p->threads));
	if (p->monitor)
		fprintf(f, "{\"interval_ms\":%u,\"source\":\"%s\",\"action\":\"%s\",\"threshold\":%g,\"sustain\":%u,\"settle\":%u}",
			p->interval_ms, policy_source_name(p->source), policy_action_name(p->action), p->threshold,
			p->sustain, p->settle);
	else
		fputs("null", f);
	fputs("},\"runtime\":{\"gomaxprocs\":{", f);
	json_knob_fields(f, &pl->gomaxprocs);
	fprintf(f, ",\"managed_by_runtime\":%s,\"go_version\":",
		pl->gomaxprocs_managed < 0 ? "null" : pl->gomaxprocs_managed ? "true" : "false");
	if (pl->gomaxprocs_managed < 0)
		fputs("null", f);
	else
		json_string(f, pl->go_version);
	fputs("},\"gomemlimit\":", f);
	json_knob(f, &pl->gomemlimit);
	fputs(",\"omp_num_threads\":", f);
	json_knob(f, &pl->omp);
	fputs("},\"env\":{", f);
	for (size_t i = 0; i < p->nenv; i++) {
		if (i)
			fputc(',', f);
		json_string(f, p->env[i].name);
		fputc(':', f);
		json_string(f, p->env[i].value);
	}
	fputs("},\"command\":", f);
	if (argv && argv[0]) {
		fputc('[', f);
		for (int i = 0; argv[i]; i++) {
			if (i)
				fputc(',', f);
			json_string(f, argv[i]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fputs(",\"relocated\":", f);
	if (pl->relocated[0]) {
		fputs("{\"planned_cpus\":", f);
		json_string(f, pl->planned_cpus);
		fputs(",\"planned_nodes\":", f);
		json_string(f, pl->planned_nodes);
		fputs(",\"reason\":", f);
		json_string(f, pl->relocated);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(",\"allocator\":", f);
	if (t->allocator[0])
		json_string(f, t->allocator);
	else
		fputs("null", f);
	fputs(",\"dropped\":", f);
	if (pl->dropped[0])
		json_string(f, pl->dropped);
	else
		fputs("null", f);
	struct privs_need need[PRIVS_MAX_NEED];
	size_t nn = privs_needed(&t->privs, p, policy_resident(p), p->source == SOURCE_PMU, 0, need, PRIVS_MAX_NEED);
	fputs(",\"privileges\":", f);
	privs_print_json(f, &t->privs, need, nn, policy_resident(p));
	fputs(",\"notes\":[", f);
	for (int i = 0; i < pl->nnotes; i++) {
		if (i)
			fputc(',', f);
		json_string(f, pl->notes[i]);
	}
	fputs("]}\n", f);
}

void plan_to_policy(const struct plan *pl, const struct topo *t, const struct policy *p, struct policy *out)
{
	policy_copy(out, p);
	/* The CPUs in the plan's order (the order --threads compact fills), as the planner reads them back. */
	size_t need = (size_t)pl->ncpus * 12 + 16;
	char *list = malloc(need);
	free(out->cpu_list);
	out->cpu_list = strdup(nodelist_format_order(pl->order, pl->ncpus, list, need));
	free(list);
	/* The nodes follow from the CPUs; the count asked for stays, as the intent elsewhere. */
	free(out->nodes);
	out->nodes = NULL;
	char a[LIST_LEN];
	free(out->planned_cpus);
	out->planned_cpus = strdup(nodelist_format(t->allowed_cpus, a, sizeof(a)));
	free(out->planned_nodes);
	out->planned_nodes = strdup(nodelist_format(t->allowed_nodes, a, sizeof(a)));
	out->strategy = pl->strategy;
	out->smt = pl->smt;
	out->mem = pl->mem;
	free(out->mem_nodes);
	out->mem_nodes = pl->mem != MEM_LOCAL && pl->mem != MEM_DEFAULT ?
			 strdup(nodelist_format(pl->mem_nodes, a, sizeof(a))) : NULL;
	out->from_file = 0;
}

void plan_print_ini(FILE *f, const struct plan *pl, const struct topo *t, const struct policy *p)
{
	struct policy q;
	plan_to_policy(pl, t, p, &q);
	policy_write(f, &q,
		     "# Written by numarun: launching with this policy reproduces the plan exactly where the CPUs and\n"
		     "# nodes below were allowed; elsewhere numarun re-plans it with the same intent (numarun(1)).\n");
	policy_free(&q);
}

void topology_print_text(FILE *f, const struct topo *t, const struct cpu_limit *lim)
{
	char a[LIST_LEN], b[LIST_LEN], m1[32], m2[32];
	fprintf(f, "topology: %s%s\n", t->source, t->this_system ? " (this system)" : "");
	fprintf(f, "  %u NUMA node%s, %u PUs online of %u\n", t->nnodes, t->nnodes == 1 ? "" : "s",
		hwloc_bitmap_weight(t->cpus), t->npus_total);
	fprintf(f, "  allowed: CPUs %s, memory nodes %s", nodelist_format(t->allowed_cpus, a, sizeof(a)),
		nodelist_format(t->allowed_nodes, b, sizeof(b)));
	if (t->this_system)
		fprintf(f, " (cgroup cpuset and our affinity %s)", nodelist_format(t->affinity, a, sizeof(a)));
	fputc('\n', f);
	if (t->allocator[0])
		fprintf(f, "  allocator: %s\n", t->allocator);
	privs_print_text(f, &t->privs, NULL, 0, -1);
	if (lim)
		fprintf(f, "  cpu quota: %s%s%s\n", lim->cpus > 0 ? "" : "none",
			lim->cpus > 0 ? lim->source : "", "");
	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		plan_format_bytes(n->memory, m1, sizeof(m1));
		plan_format_bytes(n->free_memory, m2, sizeof(m2));
		fprintf(f, "  node %u%s%s%s:", n->os_index, n->subtype[0] ? " (" : "", n->subtype,
			n->subtype[0] ? ")" : "");
		if (n->has_cpus)
			fprintf(f, " CPUs %s (%u cores allowed, allowed PUs %s)", nodelist_format(n->cpus, a, sizeof(a)),
				n->ncores, nodelist_format(n->allowed_cpus, b, sizeof(b)));
		else if (n->near_nodes && !hwloc_bitmap_iszero(n->near_nodes))
			fprintf(f, " no CPUs (memory only; with node%s %s: %s)",
				hwloc_bitmap_weight(n->near_nodes) == 1 ? "" : "s",
				nodelist_format(n->near_nodes, a, sizeof(a)), n->near_why);
		else
			fputs(" no CPUs (memory only)", f);
		fprintf(f, ", memory %s", m1);
		if (t->this_system)
			fprintf(f, " (free %s)", m2);
		fprintf(f, "%s\n", n->allowed ? "" : ", not allowed");
	}
	for (unsigned g = 0; g < t->ngroups; g++)
		fprintf(f, "  CPUs %s: in no NUMA node (offline or absent), memory from node%s %s\n",
			nodelist_format(t->groups[g].cpus, a, sizeof(a)), hwloc_bitmap_weight(t->groups[g].mem_nodes) == 1 ? "" : "s",
			nodelist_format(t->groups[g].mem_nodes, b, sizeof(b)));
	fprintf(f, "  distances (%s):\n      ", t->dist_from_matrix ? "distance matrix" : "derived from the topology tree");
	for (unsigned j = 0; j < t->nnodes; j++)
		fprintf(f, " %4u", t->nodes[j].os_index);
	fputc('\n', f);
	for (unsigned i = 0; i < t->nnodes; i++) {
		fprintf(f, "  %4u", t->nodes[i].os_index);
		for (unsigned j = 0; j < t->nnodes; j++)
			fprintf(f, " %4" PRIu64, topology_distance(t, i, j));
		fputc('\n', f);
	}
}

void topology_print_json(FILE *f, const struct topo *t, const struct cpu_limit *lim)
{
	char a[LIST_LEN];
	fputs("{\"numarun_topology\":1,\"source\":", f);
	json_string(f, t->source);
	fprintf(f, ",\"this_system\":%s,\"cpus\":", t->this_system ? "true" : "false");
	json_string(f, nodelist_format(t->cpus, a, sizeof(a)));
	fputs(",\"allowed_cpus\":", f);
	json_string(f, nodelist_format(t->allowed_cpus, a, sizeof(a)));
	fputs(",\"allowed_nodes\":", f);
	json_string(f, nodelist_format(t->allowed_nodes, a, sizeof(a)));
	fputs(",\"cpu_quota\":", f);
	if (lim && lim->cpus > 0)
		fprintf(f, "%.3f", lim->cpus);
	else
		fputs("null", f);
	fputs(",\"nodes\":[", f);
	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		fprintf(f, "%s{\"os_index\":%u,\"has_cpus\":%s,\"allowed\":%s,\"cpus\":", i ? "," : "", n->os_index,
			n->has_cpus ? "true" : "false", n->allowed ? "true" : "false");
		json_set_array(f, n->cpus);
		fputs(",\"allowed_cpus\":", f);
		json_set_array(f, n->allowed_cpus);
		fprintf(f, ",\"cores\":%u,\"memory\":%" PRIu64 ",\"free_memory\":%" PRIu64 ",\"subtype\":", n->ncores,
			n->memory, n->free_memory);
		if (n->subtype[0])
			json_string(f, n->subtype);
		else
			fputs("null", f);
		/* a memory-only node: the CPU nodes it belongs to (include_cpuless), and why */
		fputs(",\"belongs_to\":", f);
		if (n->has_cpus || !n->near_nodes) {
			fputs("null", f);
		} else {
			fputs("{\"nodes\":", f);
			json_set_array(f, n->near_nodes);
			fputs(",\"reason\":", f);
			json_string(f, n->near_why);
			fputc('}', f);
		}
		fputc('}', f);
	}
	fputs("],\"cpus_in_no_node\":[", f);
	for (unsigned g = 0; g < t->ngroups; g++) {
		fprintf(f, "%s{\"cpus\":", g ? "," : "");
		json_string(f, nodelist_format(t->groups[g].cpus, a, sizeof(a)));
		fputs(",\"memory_nodes\":", f);
		json_set_array(f, t->groups[g].mem_nodes);
		fputc('}', f);
	}
	fprintf(f, "],\"distances\":{\"source\":\"%s\",\"nodes\":[", t->dist_from_matrix ? "matrix" : "tree");
	for (unsigned i = 0; i < t->nnodes; i++)
		fprintf(f, "%s%u", i ? "," : "", t->nodes[i].os_index);
	fputs("],\"matrix\":[", f);
	for (unsigned i = 0; i < t->nnodes; i++) {
		fputs(i ? ",[" : "[", f);
		for (unsigned j = 0; j < t->nnodes; j++)
			fprintf(f, "%s%" PRIu64, j ? "," : "", topology_distance(t, i, j));
		fputc(']', f);
	}
	fputs("]},\"allocator\":", f);
	if (t->allocator[0])
		json_string(f, t->allocator);
	else
		fputs("null", f);
	fputs(",\"privileges\":", f);
	privs_print_json(f, &t->privs, NULL, 0, -1);
	fputs("}\n", f);
}
