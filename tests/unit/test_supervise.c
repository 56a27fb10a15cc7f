/* test_supervise.c - what numarun does when its target stops: job control as a shell's job would have it. */
#include "config.h"
#include <signal.h>
#include "testutil.h"
#include "supervise.h"

/* numarun's process group 100, the target's 200, a shell's 50. */
#define OWN 100
#define TARGET 200
#define SHELL 50

static enum supervise_stop on_stop(pid_t fg, int sig, int asked)
{
	return supervise_on_stop(0, fg, OWN, TARGET, sig, asked);
}

/* No controlling terminal on standard input (a service, a pipeline): a stopped target stays stopped and
 * numarun goes on, whatever stopped it. */
static void test_no_terminal(void **state)
{
	(void)state;
	int sigs[] = {SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		assert_int_equal(on_stop(-1, sigs[i], 0), SUPERVISE_STOP_NOTHING);
		assert_int_equal(on_stop(-1, sigs[i], 1), SUPERVISE_STOP_NOTHING);
	}
}

/* The target's group has the terminal (numarun handed it over): Ctrl-Z or any stop takes it back and
 * stops numarun, so that the shell sees its job stopped. */
static void test_target_in_foreground(void **state)
{
	(void)state;
	assert_int_equal(on_stop(TARGET, SIGTSTP, 0), SUPERVISE_STOP_TAKE_FOLLOW);
	assert_int_equal(on_stop(TARGET, SIGSTOP, 0), SUPERVISE_STOP_TAKE_FOLLOW);
	assert_int_equal(on_stop(TARGET, SIGTTOU, 0), SUPERVISE_STOP_TAKE_FOLLOW);
	assert_int_equal(on_stop(TARGET, SIGTSTP, 1), SUPERVISE_STOP_TAKE_FOLLOW);
}

/* numarun's own group has the terminal: the target stopped for it (it reads or sets it from the
 * background) gets it and goes on; stopped otherwise, numarun stops with it. */
static void test_numarun_in_foreground(void **state)
{
	(void)state;
	assert_int_equal(on_stop(OWN, SIGTTIN, 0), SUPERVISE_STOP_HAND_CONT);
	assert_int_equal(on_stop(OWN, SIGTTOU, 0), SUPERVISE_STOP_HAND_CONT);
	assert_int_equal(on_stop(OWN, SIGTSTP, 1), SUPERVISE_STOP_FOLLOW);
	assert_int_equal(on_stop(OWN, SIGSTOP, 0), SUPERVISE_STOP_FOLLOW);
}

/* numarun in the background: it stops (and the shell's fg continues both) when the target wants the
 * terminal or when numarun itself was asked to stop; a stop only the target was sent leaves numarun be. */
static void test_numarun_in_background(void **state)
{
	(void)state;
	assert_int_equal(on_stop(SHELL, SIGTTIN, 0), SUPERVISE_STOP_FOLLOW);
	assert_int_equal(on_stop(SHELL, SIGTTOU, 0), SUPERVISE_STOP_FOLLOW);
	assert_int_equal(on_stop(SHELL, SIGTSTP, 1), SUPERVISE_STOP_FOLLOW);
	assert_int_equal(on_stop(SHELL, SIGTSTP, 0), SUPERVISE_STOP_NOTHING);
	assert_int_equal(on_stop(SHELL, SIGSTOP, 0), SUPERVISE_STOP_NOTHING);
}

/* As PID 1 numarun never stops; it still hands the terminal to a target that stopped for it. */
static void test_pid1(void **state)
{
	(void)state;
	assert_int_equal(supervise_on_stop(1, TARGET, OWN, TARGET, SIGTSTP, 0), SUPERVISE_STOP_NOTHING);
	assert_int_equal(supervise_on_stop(1, OWN, OWN, TARGET, SIGSTOP, 0), SUPERVISE_STOP_NOTHING);
	assert_int_equal(supervise_on_stop(1, SHELL, OWN, TARGET, SIGTTIN, 1), SUPERVISE_STOP_NOTHING);
	assert_int_equal(supervise_on_stop(1, OWN, OWN, TARGET, SIGTTIN, 0), SUPERVISE_STOP_HAND_CONT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_terminal),
		cmocka_unit_test(test_target_in_foreground),
		cmocka_unit_test(test_numarun_in_foreground),
		cmocka_unit_test(test_numarun_in_background),
		cmocka_unit_test(test_pid1),
	};
	return cmocka_run_group_tests_name("supervise_on_stop", tests, NULL, NULL);
}
