/* elfsym.c - dlsym(RTLD_NEXT) without dlsym: the loader's lookup rules
 * applied to the GNU hash tables of the objects after the shim (elfsym.h).
 *
 * The rules are glibc's do_lookup_x and check_match for an unversioned
 * lookup that wants the newest version (what dlsym does):
 *   - a candidate's name matches and its hash matches in the chain;
 *   - it has a value (or is absolute), and its type is one a lookup may
 *     return; a defined symbol, or an undefined one with a value (a
 *     canonical PLT entry) - that last we leave to dlsym;
 *   - versioned (index >= 2): not hidden, and the only such one in the
 *     object; unversioned (index 0 or 1): taken at once;
 *   - the symbol taken is global or weak (a local one sends the search to
 *     the next object; GNU_UNIQUE is left to dlsym).
 * An IFUNC's address is its resolver, not the function: left to dlsym.
 */
#include "elfsym.h"

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LS_BLOOM_BITS (8 * sizeof(ElfW(Addr)))
#define LS_ST_TYPE(info) ((info) & 0xfu) /* ELF32_ST_TYPE and ELF64_ST_TYPE alike */
#define LS_ST_BIND(info) ((info) >> 4)

/* One object's dynamic symbol tables. */
struct ls_obj {
    const ElfW(Sym) *symtab;
    const char *strtab;
    const ElfW(Half) *versym; /* NULL: the object has no versions */
    const uint32_t *gnu;      /* DT_GNU_HASH */
};

unsigned ls_elfsym_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = h * 33 + *c;
    return h;
}

const struct link_map *ls_elfsym_after(const void *self_dynamic)
{
    /* LD_DYNAMIC_WEAK changes which of a weak and a global definition
     * wins: the walk does not model it (a scan of environ, as getenv's) */
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "LD_DYNAMIC_WEAK=", 16) == 0)
            return NULL;
    for (const struct link_map *lm = _r_debug.r_map; lm; lm = lm->l_next) {
        if ((const void *)lm->l_ld == self_dynamic)
            return lm->l_next;
        /* libc before the shim: the shim was loaded later (dlopen), and
         * what follows it may be unloaded under the walk */
        const char *base = lm->l_name;
        for (const char *c = base; c && *c; c++)
            if (*c == '/')
                base = c + 1;
        if (base && strncmp(base, "libc.so", 7) == 0)
            return NULL;
    }
    return NULL;
}

/* A d_ptr of OBJ's dynamic section as an address: the loader relocates the
 * entries in place unless the section is read-only (the vDSO's), where they
 * stay offsets from the load address.  Async-signal-safe. */
static const void *dyn_addr(const struct link_map *obj, ElfW(Addr) p)
{
    return (const void *)(p < obj->l_addr ? p + obj->l_addr : p);
}

/* OBJ's tables; 0 when it has no GNU hash table (or no dynamic section).
 * Async-signal-safe. */
static int obj_tables(const struct link_map *obj, struct ls_obj *o)
{
    memset(o, 0, sizeof *o);
    if (!obj->l_ld)
        return 0;
    for (const ElfW(Dyn) *d = obj->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: o->symtab = dyn_addr(obj, d->d_un.d_ptr); break;
        case DT_STRTAB: o->strtab = dyn_addr(obj, d->d_un.d_ptr); break;
        case DT_VERSYM: o->versym = dyn_addr(obj, d->d_un.d_ptr); break;
        case DT_GNU_HASH: o->gnu = dyn_addr(obj, d->d_un.d_ptr); break;
        default: break;
        }
    }
    return o->symtab && o->strtab && o->gnu;
}

enum { LOOK_NONE, LOOK_FOUND, LOOK_UNSURE };

#define LS_STT_ALLOWED                                                                 \
    ((1u << STT_NOTYPE) | (1u << STT_OBJECT) | (1u << STT_FUNC) | (1u << STT_COMMON) | \
     (1u << STT_TLS) | (1u << STT_GNU_IFUNC))

/* NAME (hash H) in one object, by the rules above: LOOK_FOUND with *SYM set,
 * LOOK_NONE (search on), or LOOK_UNSURE (leave it to dlsym).
 * Async-signal-safe. */
static int obj_lookup(const struct ls_obj *o, const char *name, uint32_t h,
                      const ElfW(Sym) **sym)
{
    uint32_t nbuckets = o->gnu[0], symoffset = o->gnu[1];
    uint32_t bloom_size = o->gnu[2], bloom_shift = o->gnu[3];
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(o->gnu + 4);
    const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    if (!nbuckets || !bloom_size)
        return LOOK_NONE;

    ElfW(Addr) word = bloom[(h / LS_BLOOM_BITS) & (bloom_size - 1)];
    if (!((word >> (h % LS_BLOOM_BITS)) & (word >> ((h >> bloom_shift) % LS_BLOOM_BITS)) & 1))
        return LOOK_NONE;
    uint32_t idx = buckets[h % nbuckets];
    if (idx < symoffset)
        return LOOK_NONE;

    const ElfW(Sym) *versioned = NULL;
    int nversioned = 0;
    for (;; idx++) {
        uint32_t link = chain[idx - symoffset];
        if (((link ^ h) >> 1) == 0) {
            const ElfW(Sym) *s = &o->symtab[idx];
            unsigned type = LS_ST_TYPE(s->st_info);
            int unusable = (s->st_value == 0 && s->st_shndx != SHN_ABS && type != STT_TLS) ||
                           !((1u << type) & LS_STT_ALLOWED);
            if (!unusable && strcmp(name, o->strtab + s->st_name) == 0) {
                if (s->st_shndx == SHN_UNDEF)
                    return LOOK_UNSURE; /* a canonical PLT entry: dlsym's to judge */
                ElfW(Half) v = o->versym ? o->versym[idx] : 0;
                if ((v & 0x7fff) < 2) { /* unversioned: this one */
                    *sym = s;
                    return LOOK_FOUND;
                }
                if (!(v & 0x8000) && nversioned++ == 0)
                    versioned = s; /* a default version; one only, or none */
            }
        }
        if (link & 1)
            break;
    }
    if (nversioned != 1)
        return LOOK_NONE;
    *sym = versioned;
    return LOOK_FOUND;
}

void *ls_elfsym_find(const struct link_map *first, const char *name)
{
    uint32_t h = ls_elfsym_hash(name);
    for (const struct link_map *obj = first; obj; obj = obj->l_next) {
        /* the vDSO is on the list of objects but not on the search list */
        if (obj->l_name && strncmp(obj->l_name, "linux-vdso", 10) == 0)
            continue;
        struct ls_obj o;
        if (!obj_tables(obj, &o))
            return NULL; /* no GNU hash table: cannot tell what it defines */
        const ElfW(Sym) *s = NULL;
        int r = obj_lookup(&o, name, h, &s);
        if (r == LOOK_UNSURE)
            return NULL;
        if (r == LOOK_NONE)
            continue;
        unsigned bind = LS_ST_BIND(s->st_info), type = LS_ST_TYPE(s->st_info);
        if (bind == STB_LOCAL)
            continue; /* the loader ignores the object for this name */
        if ((bind != STB_GLOBAL && bind != STB_WEAK) || type == STT_GNU_IFUNC || type == STT_TLS)
            return NULL;
        void *addr = (void *)(s->st_shndx == SHN_ABS ? s->st_value : obj->l_addr + s->st_value);
        return addr;
    }
    return NULL;
}
