// libsystemd as Swift sees it. The CODE_* location macros are not importable into Swift,
// so the journal handler adds CODE_FILE/CODE_LINE/CODE_FUNC itself.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
