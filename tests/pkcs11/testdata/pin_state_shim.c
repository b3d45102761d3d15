/*
 * A PKCS#11 module for tests that wraps a real one (SoftHSM) and reports a PIN state SoftHSM
 * never reaches: every call goes to the real module, except that
 *   - C_GetTokenInfo ORs PIN_SHIM_TOKEN_FLAGS (e.g. 0x40000 CKF_USER_PIN_LOCKED, 0x20000
 *     CKF_USER_PIN_FINAL_TRY) into the token's flags, and
 *   - C_Login returns PIN_SHIM_LOGIN_RV (e.g. 0xa4 CKR_PIN_LOCKED) when set, without logging in;
 *     else it logs in on the real module.
 * Each C_Login call appends a line "C_Login" to the file PIN_SHIM_LOG (when set). The real
 * module's path is PIN_SHIM_MODULE. Linux/macOS 64-bit layouts (CK_ULONG is 8 bytes).
 *
 * Build: cc -shared -fPIC -o pin_state_shim.so pin_state_shim.c -ldl
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long CK_RV;
typedef unsigned long CK_ULONG;
typedef CK_RV (*fn_t)();

/* CK_FUNCTION_LIST: a CK_VERSION (padded to 8 bytes), then 68 function pointers (PKCS#11 2.40). */
struct function_list {
  unsigned char version[8];
  fn_t fns[68];
};

/* Indexes into fns: C_GetFunctionList, C_GetTokenInfo, C_Login. */
enum { GET_FUNCTION_LIST = 3, GET_TOKEN_INFO = 6, LOGIN = 18 };

/* CK_TOKEN_INFO.flags follows label[32], manufacturerID[32], model[16], serialNumber[16]. */
enum { TOKEN_FLAGS_OFFSET = 96 };

#define CKR_GENERAL_ERROR 0x5UL

static struct function_list *real;
static struct function_list shim;

static CK_ULONG env_ulong(const char *name) {
  const char *value = getenv(name);
  return value == NULL ? 0 : strtoul(value, NULL, 0);
}

static CK_RV shim_get_token_info(CK_ULONG slot, unsigned char *info) {
  CK_RV rv = real->fns[GET_TOKEN_INFO](slot, info);
  if (rv == 0 && info != NULL) {
    CK_ULONG flags;
    memcpy(&flags, info + TOKEN_FLAGS_OFFSET, sizeof flags);
    flags |= env_ulong("PIN_SHIM_TOKEN_FLAGS");
    memcpy(info + TOKEN_FLAGS_OFFSET, &flags, sizeof flags);
  }
  return rv;
}

static CK_RV shim_login(CK_ULONG session, CK_ULONG user, unsigned char *pin, CK_ULONG len) {
  const char *log = getenv("PIN_SHIM_LOG");
  if (log != NULL) {
    FILE *f = fopen(log, "a");
    if (f != NULL) {
      fputs("C_Login\n", f);
      fclose(f);
    }
  }
  CK_RV forced = env_ulong("PIN_SHIM_LOGIN_RV");
  return forced != 0 ? forced : real->fns[LOGIN](session, user, pin, len);
}

CK_RV C_GetFunctionList(struct function_list **out) {
  if (out == NULL) return 0x7UL; /* CKR_ARGUMENTS_BAD */
  if (real == NULL) {
    const char *path = getenv("PIN_SHIM_MODULE");
    void *lib = path == NULL ? NULL : dlopen(path, RTLD_NOW | RTLD_LOCAL);
    CK_RV (*get)(struct function_list **) =
      lib == NULL ? NULL : (CK_RV(*)(struct function_list **))dlsym(lib, "C_GetFunctionList");
    if (get == NULL || get(&real) != 0 || real == NULL) {
      real = NULL;
      return CKR_GENERAL_ERROR;
    }
    shim = *real;
    shim.fns[GET_FUNCTION_LIST] = (fn_t)C_GetFunctionList;
    shim.fns[GET_TOKEN_INFO] = (fn_t)shim_get_token_info;
    shim.fns[LOGIN] = (fn_t)shim_login;
  }
  *out = &shim;
  return 0;
}
