/* Unit tests for the symbol walk (shim/elfsym.c): every answer it gives is
 * dlsym(RTLD_NEXT)'s, for every name the shim resolves and for the cases
 * the loader's rules make hard (hidden old versions, IFUNCs, data, TLS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "elfsym.h"

static const char *const wrapped[] = {
#define LS_WRAP(ret, name, params) #name,
#include "wrapped.def"
};

extern ElfW(Dyn) _DYNAMIC[];

/* The objects after this executable, as RTLD_NEXT from here sees them. */
static const struct link_map *after_us(void)
{
    const struct link_map *first = ls_elfsym_after(_DYNAMIC);
    assert_non_null(first);
    return first;
}

static void test_hash_is_the_gnu_hash(void **state)
{
    (void)state;
    assert_int_equal(ls_elfsym_hash(""), 5381);
    assert_int_equal(ls_elfsym_hash("printf"), 0x156b2bb8u);
}

/* Every name of wrapped.def: the walk finds it, and at dlsym's address. */
static void test_every_wrapped_name_as_dlsym(void **state)
{
    (void)state;
    const struct link_map *first = after_us();
    for (size_t i = 0; i < sizeof wrapped / sizeof *wrapped; i++) {
        void *walk = ls_elfsym_find(first, wrapped[i]);
        void *dl = dlsym(RTLD_NEXT, wrapped[i]);
        if (walk != dl)
            print_error("%s: walk %p, dlsym %p\n", wrapped[i], walk, dl);
        assert_non_null(walk);
        assert_ptr_equal(walk, dl);
    }
}

/* glibc keeps old versions of these beside the default one (the old one
 * hidden): the walk must give the default, as dlsym does. */
static void test_default_version_not_the_hidden_one(void **state)
{
    (void)state;
    static const char *const versioned[] = {
        "pthread_cond_wait", "realpath", "glob", "posix_spawn", "sched_setaffinity",
        "fmemopen", "regexec", "timer_create", "pthread_cond_signal", "sched_getaffinity",
    };
    const struct link_map *first = after_us();
    for (size_t i = 0; i < sizeof versioned / sizeof *versioned; i++) {
        void *walk = ls_elfsym_find(first, versioned[i]);
        void *dl = dlsym(RTLD_NEXT, versioned[i]);
        if (walk != dl)
            print_error("%s: walk %p, dlsym %p\n", versioned[i], walk, dl);
        assert_non_null(walk);
        assert_ptr_equal(walk, dl);
    }
}

/* An IFUNC's symbol is its resolver: the walk leaves it to dlsym.  (A
 * sanitizer's runtime, loaded first, defines some of these names as plain
 * functions: the walk then finds those, as dlsym does.  Enough of them stay
 * libc's IFUNCs for the case to be reached.) */
static void test_ifunc_left_to_dlsym(void **state)
{
    (void)state;
    static const char *const ifuncs[] = {
        "memcpy", "strlen", "memset", "strchr", "memmove", "strcmp", "wmemset", "wcsnlen",
        "strchrnul", "rawmemchr", "memrchr", "stpcpy", "wcschr", "wmemchr", "strcasecmp_l",
        "__memcpy_chk", "__wmemset_chk", "wcpcpy", "wcsncpy", "__stpncpy_chk",
    };
    const struct link_map *first = after_us();
    int left = 0;
    for (size_t i = 0; i < sizeof ifuncs / sizeof *ifuncs; i++) {
        void *walk = ls_elfsym_find(first, ifuncs[i]);
        void *dl = dlsym(RTLD_NEXT, ifuncs[i]);
        assert_non_null(dl);
        if (!walk)
            left++;
        else
            assert_ptr_equal(walk, dl);
    }
    print_message("%d of %zu left to dlsym\n", left, sizeof ifuncs / sizeof *ifuncs);
    assert_true(left >= 3);
}

/* Data is found where dlsym finds it; a name nobody defines is not found. */
static void test_data_and_missing(void **state)
{
    (void)state;
    const struct link_map *first = after_us();
    assert_ptr_equal(ls_elfsym_find(first, "environ"), dlsym(RTLD_NEXT, "environ"));
    assert_ptr_equal(ls_elfsym_find(first, "stdout"), dlsym(RTLD_NEXT, "stdout"));
    assert_non_null(ls_elfsym_find(first, "stdout"));
    assert_null(ls_elfsym_find(first, "ls_no_such_symbol_anywhere"));
    assert_null(ls_elfsym_find(first, "")); /* the empty name of index 0 */
    assert_null(ls_elfsym_find(NULL, "close"));
}

/* A thread-local variable: its symbol's value is an offset, not an address. */
static void test_tls_left_to_dlsym(void **state)
{
    (void)state;
    assert_null(ls_elfsym_find(after_us(), "errno")); /* libc has no such symbol either */
    assert_null(ls_elfsym_find(after_us(), "__libc_errno")); /* GLIBC_PRIVATE TLS */
}

/* Where the walk cannot model the loader, it gives up on every name. */
static void test_gives_up_where_it_cannot_model(void **state)
{
    (void)state;
    int local = 0;
    assert_null(ls_elfsym_after(&local)); /* no object has it for its dynamic section */
    setenv("LD_DYNAMIC_WEAK", "", 1);
    assert_null(ls_elfsym_after(_DYNAMIC));
    unsetenv("LD_DYNAMIC_WEAK");
    assert_non_null(ls_elfsym_after(_DYNAMIC));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_is_the_gnu_hash),
        cmocka_unit_test(test_every_wrapped_name_as_dlsym),
        cmocka_unit_test(test_default_version_not_the_hidden_one),
        cmocka_unit_test(test_ifunc_left_to_dlsym),
        cmocka_unit_test(test_data_and_missing),
        cmocka_unit_test(test_tls_left_to_dlsym),
        cmocka_unit_test(test_gives_up_where_it_cannot_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
