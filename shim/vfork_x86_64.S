/* vfork_x86_64.S - vfork() that marks the child.
 *
 * A vfork child shares the parent's memory, so the shim must not change its
 * table from it (SPEC §5).  This is glibc's own sequence (the return address
 * is kept in a register, since the child may overwrite the shared stack),
 * plus a thread-local flag: set in the child, cleared in the parent when it
 * resumes, after the child has exec'd or exited.  Other threads have their
 * own copy of the flag. */
    .text
    .globl vfork
    .type vfork, @function
    .globl __vfork
    .type __vfork, @function
vfork:
__vfork:
    popq %rdi
    movl $58, %eax              /* SYS_vfork */
    syscall
    pushq %rdi
    cmpl $-4095, %eax
    jae 1f
    movq ls_vfork_child@gottpoff(%rip), %rcx
    xorl %edx, %edx
    testl %eax, %eax
    sete %dl                    /* 1 in the child, 0 in the parent */
    movl %edx, %fs:(%rcx)
    ret
1:  negl %eax
    movl %eax, %edi
    jmp ls_vfork_failed@PLT      /* sets errno, returns -1 to our caller */
    .size vfork, .-vfork
    .size __vfork, .-__vfork
    .section .note.GNU-stack,"",@progbits
