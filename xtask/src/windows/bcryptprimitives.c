/* For the tests under Wine only; never shipped in the Windows zip.
 *
 * Rust's standard library takes its random numbers (HashMap keys) from ProcessPrng in
 * bcryptprimitives.dll, which every Windows since 10 has and Wine 8 (Debian bookworm's) lacks:
 * without it no Rust program starts there. This stand-in gives the same call over the older
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
