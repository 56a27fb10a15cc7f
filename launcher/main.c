/* main.c - wires the steps; the only place that prints the final error and picks the exit code. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "allocator.h"
#include "attach.h"
#include "cgroup.h"
#include "cli.h"
#include "doctor.h"
#include "launch.h"
#include "log.h"
#include "mempolicy.h"
#include "monitor.h"
#include "nodelist.h"
#include "plan.h"
#include "policy.h"
#include "privs.h"
#include "report.h"
#include "runtime.h"
#include "supervise.h"
#include "topology.h"

static const char *env_value(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nenv; i++)
		if (strcmp(p->env[i].name, name) == 0)
			return p->env[i].value;
	return getenv(name);
}

static unsigned std_closed; /* standard descriptors numarun was started without */

/* What was printed on standard output (what: "the plan", "the help"...) went out: 0, or
 * EXIT_FAILURE_NUMARUN with a message where it did not (a full disk, a reader gone with SIGPIPE
 * ignored), or could not, standard output being closed (its /dev/null stand-in took it). */
static int stdout_done(const char *what)
{
	if (std_closed & 2) {
		log_error("standard output is closed: %s is not written", what);
		return EXIT_FAILURE_NUMARUN;
	}
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("writing %s to standard output: %s", what, errno ? strerror(errno) : "write error");
		return EXIT_FAILURE_NUMARUN;
	}
	return 0;
}

/* What the resident parent keeps after the launch (numarun(1), "Capabilities"). */
static struct {
	struct privs_need need[PRIVS_MAX_NEED];
	size_t n;
	const struct policy *pol;
	const struct monitor *mon; /* its metric source is chosen by the time of the launch; NULL: none */
	int save_policy;
} keep;

static void drop_privileges(void *arg, pid_t target)
{
	struct privs *pv = arg;
	unsigned dropped = 0;
	int pmu = keep.mon && keep.mon->sampling && keep.mon->src.kind == SOURCE_PMU;
	keep.n = privs_needed(pv, keep.pol, 1, pmu, keep.save_policy, keep.need, PRIVS_MAX_NEED);
	char name[64], list[768] = "";
	size_t off = 0;
	/* The target's permitted set, as it was exec'd, where numarun must hold it all. */
	uint64_t extra = privs_keep_for_target(pv, keep.need, keep.n) ? privs_permitted_of(target) : 0;
	int e = privs_drop(keep.need, keep.n, extra, &dropped);
	if (e < 0) {
		log_warn("dropping capabilities: %s", strerror(-e));
		return;
	}
	for (size_t i = 0; i < keep.n && off < sizeof(list); i++)
		if (privs_holds(pv, keep.need[i].cap))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s (%s)", off ? ", " : "",
						privs_cap_name(keep.need[i].cap, name, sizeof(name)), keep.need[i].why);
	if (extra && off < sizeof(list))
		snprintf(list + off, sizeof(list) - off, "%severy capability the target holds (without CAP_SYS_NICE or "
			 "CAP_SYS_PTRACE the kernel lets numarun set its CPUs and read its numa_maps only so)", off ? ", " : "");
	log_info("capabilities: dropped %u; kept %s", dropped, list[0] ? list : "none");
}

/* Whether a launch may read the machine from sysfs alone (topology_load_sysfs): a plain launch (nothing
 * resident to re-plan later) of an explicit CPU list on the live machine, with none of what needs hwloc's
 * tree: a node list, memory-only nodes, a policy planned elsewhere, hwloc's own variables. */
static int sysfs_launch(const struct opts *o, const struct policy *p)
{
	extern char **environ;
	if (o->cmd != CMD_RUN || o->topology_file || policy_resident(p) || !p->cpu_list || p->nodes ||
	    p->include_cpuless || p->planned_cpus || p->planned_nodes)
		return 0;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, "HWLOC_", 6) == 0)
			return 0;
	return 1;
}

/* Load the topology (from sysfs alone, or through hwloc), apply the CPU allocator's hand-off (quietly when
 * it was said already) and read the kernel's memory-policy facts. Returns 0; 1 when sysfs cannot describe
 * this machine or the CPU list is not one used as written; topology_load's -1 or -2. */
static int prepare(const struct opts *o, const struct policy *pol, struct topo *topo, int sysfs, int quiet,
		   char *cause, size_t causelen)
{
	if (sysfs) {
		if (topology_load_sysfs(topo) != 0)
			return 1;
	} else {
		int tr = topology_load(topo, o->topology_file, cause, causelen);
		if (tr < 0)
			return tr;
	}
	if (sysfs) {
		/* The cores' order is hwloc's alone: only a list whose every CPU is named in order does without.
		 * Checked before the allocator's hand-off is applied, so that a fallback does not say it twice. */
		hwloc_bitmap_t want = hwloc_bitmap_alloc();
		char why[256];
		int ok = nodelist_parse(pol->cpu_list, topo->allowed_cpus, want, why, sizeof(why)) == 0 &&
			 !hwloc_bitmap_iszero(want);
		if (ok) {
			unsigned w = (unsigned)hwloc_bitmap_weight(want);
			unsigned *order = calloc(w, sizeof(unsigned));
			ok = order && nodelist_written_order(pol->cpu_list, want, order, w) == (int)w;
			free(order);
		}
		hwloc_bitmap_free(want);
		if (!ok) {
			topology_free(topo);
			return 1;
		}
	}
	if (topo->this_system) {
		int level = log_get_level();
		if (quiet)
			log_set_level(LOG_QUIET);
		alloc_apply(topo);
		log_set_level(level);
	}
	if (topo->this_system) {
		/* What the planner needs to say whether the kernel will balance the target's memory. */
		mempolicy_read_kernel(&topo->kmem);
		/* Capabilities and seccomp: for what plan and topology show and what a resident numarun keeps;
		 * a plain launch reads them only to explain a refusal. */
		if (o->cmd != CMD_RUN || policy_resident(pol) || getpid() == 1)
			privs_read(&topo->privs);
		if (pol->mem != MEM_DEFAULT)
			mempolicy_probe_set(&topo->kmem);
		if (pol->mem != MEM_DEFAULT && pol->balancing != BALANCING_NO && topo->kmem.set_errno == 0)
			/* A plain launch with balancing = auto needs the answer for its own policy only. */
			mempolicy_probe_balancing(&topo->kmem, topo->allowed_nodes,
						  o->cmd == CMD_RUN && !policy_resident(pol) && pol->balancing == BALANCING_AUTO
							  ? 1u << pol->mem : 0);
		if (pol->mem == MEM_PREFERRED && topo->kmem.set_errno == 0)
			mempolicy_probe_preferred_many(&topo->kmem, topo->allowed_nodes);
	}
	return 0;
}

static void read_limits(struct cpu_limit *limit, struct cpu_limit *leaf, struct mem_limit *mem)
{
	int e = cgroup_limits("", limit, leaf, mem);
	if (e < 0)
		log_info("cannot read /proc/self/cgroup: %s; no CPU quota assumed", strerror(-e));
}

static int run(struct opts *o)
{
	char cause[2048];
	struct policy pol;
	struct topo topo;
	struct plan plan;
	struct target_info target;
	struct attach_target att = {0};
	char path[PATH_MAX] = "";
	int have_target = 0, rc = EXIT_FAILURE_NUMARUN;

	if (o->cmd == CMD_DOCTOR && o->doctor_pid)
		/* observing a running process: nothing to plan */
		return doctor_run(o->doctor_pid, o->duration, o->format == FORMAT_JSON, o->verbosity);
	policy_init(&pol);
	if (o->policy_file && policy_load(&pol, o->policy_file, cause, sizeof(cause)) < 0) {
		log_error("%s", cause);
		policy_free(&pol);
		return EXIT_USAGE;
	}
	cli_apply(o, &pol);
	if (o->events_file || o->save_policy)
		pol.monitor = 1;

	/* A launch of an explicit CPU list reads the machine as numactl does, without hwloc's discovery; whatever
	 * that cannot describe, or a plan it cannot make as asked, goes through hwloc. */
	int sysfs = sysfs_launch(o, &pol);
	if (sysfs && prepare(o, &pol, &topo, 1, 0, cause, sizeof(cause)) != 0)
		sysfs = 0;
	int tr = sysfs ? 0 : prepare(o, &pol, &topo, 0, 0, cause, sizeof(cause));
	if (tr < 0) {
		/* A file or description the user named (--topology, HWLOC_XMLFILE, HWLOC_SYNTHETIC) that is
		 * not a topology is bad input, as a policy file would be; the live machine's failing is not. */
		log_error("%s", cause);
		policy_free(&pol);
		return tr == -2 ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
	}
	if (o->cmd == CMD_ATTACH && topo.this_system) {
		/* The plan is made for what the running process may use (numarun(1), ATTACH). */
		int ar = attach_prepare(&att, o->attach_pid, &topo, cause, sizeof(cause));
		if (ar != 0) {
			log_error("%s", cause);
			attach_target_free(&att);
			rc = ar;
			goto out_topo;
		}
		attach_keep_binding(&att, &topo, &pol);
	}
	struct cpu_limit limit = {0}, leaf_limit = {0};
	struct mem_limit mem_limit = {0};
	/* The cgroup's limits size GOMAXPROCS, GOMEMLIMIT and OMP_NUM_THREADS = auto, and are shown by plan,
	 * topology and -v: a plain launch of a program that is not Go, with OpenMP left alone, does without
	 * (they are read below once the target turns out to be a Go program). */
	int limits_read = 0;
	if (topo.this_system && (o->cmd != CMD_RUN || log_get_level() >= LOG_VERBOSE || policy_resident(&pol) ||
				 pol.omp.mode == KNOB_AUTO || pol.omp.mode == KNOB_ALWAYS || pol.gomaxprocs.mode == KNOB_ALWAYS ||
				 getpid() == 1)) {
		read_limits(&limit, &leaf_limit, &mem_limit);
		limits_read = 1;
	}

	if (o->cmd == CMD_TOPOLOGY) {
		if (o->format == FORMAT_JSON)
			topology_print_json(stdout, &topo, topo.this_system ? &limit : NULL);
		else
			topology_print_text(stdout, &topo, topo.this_system ? &limit : NULL);
		rc = stdout_done("the topology");
		goto out_topo;
	}

	if ((o->cmd == CMD_RUN || o->cmd == CMD_ATTACH || o->cmd == CMD_DOCTOR) && !topo.this_system) {
		log_error("%s is not this system: numarun plans against it but does not launch "
			  "(use 'numarun plan', or HWLOC_THISSYSTEM=1 for an XML exported from this machine)",
			  topo.label);
		rc = EXIT_USAGE;
		goto out_topo;
	}

	int planned = plan_compute(&topo, &pol, &plan, cause, sizeof(cause));
	if (sysfs && (planned < 0 || plan.relocated[0] || plan.dropped[0])) {
		/* Not the plain case: hwloc's view decides, and says why (the allocator's words were said). */
		if (planned == 0)
			plan_free(&plan);
		topology_free(&topo);
		sysfs = 0;
		tr = prepare(o, &pol, &topo, 0, 1, cause, sizeof(cause));
		if (tr < 0) {
			log_error("%s", cause);
			policy_free(&pol);
			return tr == -2 ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
		}
		planned = plan_compute(&topo, &pol, &plan, cause, sizeof(cause));
	}
	if (planned < 0) {
		if (o->cmd == CMD_ATTACH) {
			char a[512];
			log_error("attach: %s (process %d may use CPUs %s)", cause, (int)o->attach_pid,
				  nodelist_format(att.may_cpus, a, sizeof(a)));
			attach_target_free(&att);
		} else {
			log_error("%s", cause);
		}
		rc = EXIT_USAGE;
		goto out_topo;
	}

	if (topo.this_system && plan.mem != MEM_DEFAULT) {
		/* A container's seccomp profile may refuse the memory policy (Docker's and containerd's do without
		 * CAP_SYS_NICE): the CPU binding still works, so launch without it, or refuse under --strict. */
		int e = topo.kmem.set_errno > 0 ? topo.kmem.set_errno : topo.kmem.set_errno < 0 ? topo.kmem.get_errno : 0;
		if (e && !topo.privs.known)
			privs_read(&topo.privs);
		if (e && privs_refused(&topo.privs, e)) {
			char why[1024];
			privs_explain(&topo.privs, topo.kmem.set_errno > 0 ? "set_mempolicy" : "get_mempolicy", e, -1, why,
				      sizeof(why));
			if (plan.strict && (o->cmd == CMD_RUN || o->cmd == CMD_ATTACH || o->cmd == CMD_DOCTOR)) {
				log_error("%s; --strict: not launched without the memory policy %s", why,
					  policy_mem_name(plan.mem));
				goto out_plan;
			}
			plan_drop_memory(&topo, &plan, why);
			if (o->cmd == CMD_RUN || o->cmd == CMD_DOCTOR)
				launch_warn_memory_dropped(why);
		}
	}
	if (plan.relocated[0] && (o->cmd == CMD_RUN || o->cmd == CMD_DOCTOR))
		log_notice("%s", plan.relocated);
	if (plan.preferred_fallback[0] && (o->cmd == CMD_RUN || o->cmd == CMD_DOCTOR))
		log_warn("%s", plan.preferred_fallback);

	memset(&target, 0, sizeof(target));
	if (o->argc > 0) {
		int r = launch_resolve(o->argv[0], path, sizeof(path), cause, sizeof(cause));
		if (r != 0 && (o->cmd == CMD_RUN || o->cmd == CMD_DOCTOR)) {
			log_error("%s", cause);
			rc = r;
			goto out_plan;
		}
		if (r == 0) {
			int e = runtime_inspect(path, &target);
			if (e < 0)
				log_warn("cannot read %s to look for Go build info: %s", path, strerror(-e));
			have_target = 1;
		} else {
			log_info("%s: the plan assumes it is not a Go program", cause);
		}
	}
	if (topo.this_system && !limits_read && (!have_target || target.is_go)) {
		read_limits(&limit, &leaf_limit, &mem_limit);
		limits_read = 1;
	}
	struct runtime_inputs in = {
		.target = have_target ? &target : NULL,
		.env_gomaxprocs = env_value(&pol, "GOMAXPROCS"),
		.env_omp = env_value(&pol, "OMP_NUM_THREADS"),
		.env_godebug = env_value(&pol, "GODEBUG"),
		.env_gomemlimit = env_value(&pol, "GOMEMLIMIT"),
		.limit = limit,
		.topo = &topo,
	};
	/* What the Go runtime itself reads (the leaf only), and the memory limit for GOMEMLIMIT. */
	in.leaf_limit = leaf_limit;
	in.mem_limit = mem_limit;
	runtime_decide(&plan, &pol, &in);

	if (o->cmd == CMD_ATTACH) {
		if (log_get_level() >= LOG_VERBOSE)
			plan_print_text(stderr, &plan, &topo, NULL);
		rc = attach_run(&att, o, &topo, &plan, &pol);
		goto out_plan;
	}
	if (o->cmd == CMD_PLAN) {
		if (o->format == FORMAT_JSON)
			plan_print_json(stdout, &plan, &topo, &pol, o->argc ? o->argv : NULL);
		else if (o->format == FORMAT_INI)
			plan_print_ini(stdout, &plan, &topo, &pol);
		else {
			plan_print_text(stdout, &plan, &topo, o->argc ? o->argv : NULL);
			plan_print_resident(stdout, &pol);
			struct privs_need need[PRIVS_MAX_NEED];
			size_t nn = privs_needed(&topo.privs, &pol, policy_resident(&pol) || getpid() == 1, pol.source == SOURCE_PMU,
						 o->save_policy != NULL, need, PRIVS_MAX_NEED);
			privs_print_text(stdout, &topo.privs, need, nn, policy_resident(&pol) || getpid() == 1);
		}
		rc = stdout_done("the plan");
		goto out_plan;
	}

	if (log_get_level() >= LOG_VERBOSE)
		plan_print_text(stderr, &plan, &topo, o->argv);
	if (o->exec && policy_resident(&pol)) {
		log_error("--exec: numarun execs in place only without resident mode (--threads, --monitor, "
			  "[threads], [monitor] or node rules keep it as the parent)");
		rc = EXIT_USAGE;
		goto out_plan;
	}
	if (o->cmd == CMD_DOCTOR) {
		if (policy_resident(&pol)) {
			log_error("doctor launches COMMAND plainly, as numarun without resident mode would: --threads, "
				  "--monitor, [threads], [monitor] and node rules are for a launch");
			rc = EXIT_USAGE;
		} else {
			rc = doctor_launch(&plan, &pol, path, o->argv, o->duration, o->format == FORMAT_JSON, o->verbosity);
		}
		goto out_plan;
	}
	if (topo.this_system && (policy_resident(&pol) || (getpid() == 1 && !o->exec))) {
		keep.pol = &pol;
		keep.save_policy = o->save_policy != NULL;
		supervise_on_launch(drop_privileges, &topo.privs);
	}
	unsigned flags = o->signal_group ? SUPERVISE_SIGNAL_GROUP : 0;
	if (!policy_resident(&pol) && getpid() == 1 && !o->exec) {
		/* PID 1 of a container: a target exec'd in our place would get no default signal actions
		 * (SIGTERM would not stop it) and would have to reap orphans. Stay as the init. */
		log_info("PID 1: staying as the init (forwarding signals, reaping); --exec to exec in place");
		rc = supervise_run(NULL, &plan, &pol, flags, path, o->argv);
		goto out_plan;
	}
	if (policy_resident(&pol) && o->events_file && strcmp(o->events_file, "-") == 0 && (std_closed & 2)) {
		log_error("--events -: standard output is closed (no event could be written)");
		rc = EXIT_USAGE;
		goto out_plan;
	}
	if (policy_resident(&pol)) {
		struct monitor mon;
		int r = monitor_init(&mon, &topo, &plan, &pol, o->events_file, o->save_policy, cause, sizeof(cause));
		if (r < 0) {
			log_error("%s", cause);
			monitor_finish(&mon, 0);
			rc = r == -1 ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
			goto out_plan;
		}
		keep.mon = &mon;
		rc = supervise_run(&mon, &plan, &pol, flags, path, o->argv);
		keep.mon = NULL;
		goto out_plan;
	}
	if (o->signal_group)
		log_info("--signal-group: numarun execs in place, nothing stays to forward signals");
	int e = runtime_apply_env(&plan, &pol);
	if (e < 0) {
		log_error("setting the environment: %s", strerror(-e));
		goto out_plan;
	}
	if (launch_bind_self(&plan, cause, sizeof(cause)) < 0) {
		log_error("%s", cause);
		goto out_plan;
	}
	/* Nothing is freed before the exec: the new program replaces all of it (hwloc's topology takes
	 * longer to free than the exec itself). Only a failed exec comes back here. */
	rc = launch_exec(path, o->argv, cause, sizeof(cause));
	log_error("%s", cause);
	goto out_plan;

out_plan:
	plan_free(&plan);
out_topo:
	attach_target_free(&att);
	topology_free(&topo);
	policy_free(&pol);
	return rc;
}

/* Closed standard descriptors would be reused by numarun's own files (events, /proc reads) and written
 * to as if they were standard output: hold them with /dev/null, close-on-exec so that the target still
 * starts with them closed. Returns a bit mask of those that were closed. */
static unsigned hold_std_fds(void)
{
	unsigned closed = 0;
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			closed |= 1u << fd;
			/* the lowest free descriptor: this one, as the lower ones are held already */
			if (open("/dev/null", O_RDWR | O_CLOEXEC) < 0)
				break;
		}
	return closed;
}

int main(int argc, char **argv)
{
	struct opts o;
	char cause[1024];
	std_closed = hold_std_fds();

	if (cli_parse(argc, argv, &o, cause, sizeof(cause)) < 0) {
		log_error("%s", cause);
		fprintf(stderr, "Try 'numarun --help' for more information.\n");
		cli_free(&o);
		return EXIT_USAGE;
	}
	if (o.help) {
		cli_usage(stdout);
		cli_free(&o);
		return stdout_done("the help");
	}
	if (o.version) {
		printf("numarun %s\n", PACKAGE_VERSION);
		cli_free(&o);
		return stdout_done("the version");
	}
	log_set_level(o.verbosity);
	int rc = o.cmd == CMD_REPORT ? report_run(&o) : run(&o);
	cli_free(&o);
	return rc;
}
