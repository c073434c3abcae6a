# keyrotd: build and install.
#
#   make                      release build (static Swift runtime: the binary needs no Swift toolchain)
#   make install              install under PREFIX (default /usr/local); DESTDIR stages it elsewhere
#   make uninstall            remove what install put there, except /etc/keyrotd/keyrotd.yml
#   make install BINARY=path  install that binary instead of .build/release/keyrotd (no build step)
#
# Paths can be overridden on the command line, e.g.
#   make install PREFIX=/usr DESTDIR=/tmp/stage ZSHCOMPDIR=/usr/share/zsh/vendor-completions
# The configuration lives in /etc whatever PREFIX is, and an existing one is never overwritten.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
CATALOGDIR  ?= $(LIBDIR)/systemd/catalog
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

SWIFT       ?= swift
SWIFTFLAGS  ?= -c release --static-swift-stdlib
BINARY      ?= .build/release/keyrotd
GENERATED   := .build/install-generated

INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755
INSTALL_DATA    ?= $(INSTALL) -m 0644

.PHONY: all build install install-config uninstall clean-generated

all: build

build:
	$(SWIFT) build $(SWIFTFLAGS) --product keyrotd

# Built only when missing, so that `sudo make install` after `make` does not rebuild as root.
$(BINARY):
	$(SWIFT) build $(SWIFTFLAGS) --product keyrotd

$(GENERATED)/completions: $(BINARY)
	mkdir -p $@
	# A completion file is sourced, not run: no #! line (Debian policy; lintian).
	$(BINARY) --generate-completion-script bash | sed '1{/^#!/d}' > $@/keyrotd.bash
	$(BINARY) --generate-completion-script zsh > $@/_keyrotd
	$(BINARY) --generate-completion-script fish > $@/keyrotd.fish

install: $(BINARY) $(GENERATED)/completions install-config
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL_PROGRAM) $(BINARY) $(DESTDIR)$(BINDIR)/keyrotd
	# The unit names the binary by its path: point it at BINDIR.
	sed -E 's#(^|[ =@!+-])/usr(/local)?/bin/keyrotd#\1$(BINDIR)/keyrotd#g' systemd/keyrotd.service \
		> $(DESTDIR)$(UNITDIR)/keyrotd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/keyrotd.service
	$(INSTALL_DATA) systemd/keyrotd.sysusers $(DESTDIR)$(SYSUSERSDIR)/keyrotd.conf
	$(INSTALL_DATA) systemd/keyrotd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/keyrotd.conf
	$(INSTALL_DATA) systemd/keyrotd.catalog $(DESTDIR)$(CATALOGDIR)/keyrotd.catalog
	$(INSTALL_DATA) docs/keyrotd.8 $(DESTDIR)$(MANDIR)/man8/keyrotd.8
	$(INSTALL_DATA) $(GENERATED)/completions/keyrotd.bash $(DESTDIR)$(BASHCOMPDIR)/keyrotd
	$(INSTALL_DATA) $(GENERATED)/completions/_keyrotd $(DESTDIR)$(ZSHCOMPDIR)/_keyrotd
	$(INSTALL_DATA) $(GENERATED)/completions/keyrotd.fish $(DESTDIR)$(FISHCOMPDIR)/keyrotd.fish
	@if [ -z "$(DESTDIR)" ]; then \
		echo "next, as root: systemd-sysusers keyrotd.conf && systemd-tmpfiles --create keyrotd.conf &&" \
		     "journalctl --update-catalog && systemctl daemon-reload;" \
		     "edit $(SYSCONFDIR)/keyrotd/keyrotd.yml, run keyrotd check, then systemctl enable --now keyrotd"; \
	fi

# The operator's configuration is theirs: installed once, never replaced.
install-config:
	$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)/keyrotd
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/keyrotd/keyrotd.yml ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/keyrotd/keyrotd.yml"; \
	else \
		echo "$(INSTALL_DATA) etc/keyrotd/keyrotd.yml $(DESTDIR)$(SYSCONFDIR)/keyrotd/keyrotd.yml"; \
		$(INSTALL_DATA) etc/keyrotd/keyrotd.yml $(DESTDIR)$(SYSCONFDIR)/keyrotd/keyrotd.yml; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/keyrotd $(DESTDIR)$(UNITDIR)/keyrotd.service \
		$(DESTDIR)$(SYSUSERSDIR)/keyrotd.conf $(DESTDIR)$(TMPFILESDIR)/keyrotd.conf \
		$(DESTDIR)$(CATALOGDIR)/keyrotd.catalog $(DESTDIR)$(MANDIR)/man8/keyrotd.8 \
		$(DESTDIR)$(BASHCOMPDIR)/keyrotd $(DESTDIR)$(ZSHCOMPDIR)/_keyrotd $(DESTDIR)$(FISHCOMPDIR)/keyrotd.fish
	@echo "left $(DESTDIR)$(SYSCONFDIR)/keyrotd/keyrotd.yml and the state directory in place"

clean-generated:
	rm -rf $(GENERATED)
