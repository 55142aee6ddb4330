# mk/install.mk — installs librtrl, rtrl.h and rtrl.pc under $(PREFIX).
#
# Included by the top-level Makefile (`make install PREFIX=/usr/local`), which adds
# `install: lib` so the release library is built first. Usable on its own too:
#     make -f mk/install.mk install PREFIX=/tmp/rtrl-prefix [RELEASE_DIR=.build/release]
#
# Layout (DESTDIR is prepended for staged installs):
#     $(PREFIX)/lib/librtrl.so.MAJOR.MINOR.PATCH   the library (SONAME librtrl.so.0)
#     $(PREFIX)/lib/librtrl.so.0 -> librtrl.so.MAJOR.MINOR.PATCH   what programs load
#     $(PREFIX)/lib/librtrl.so -> librtrl.so.0                      what -lrtrl links
#     $(PREFIX)/include/rtrl.h
#     $(PREFIX)/lib/pkgconfig/rtrl.pc               Libs with -Wl,-rpath,$(PREFIX)/lib
#
# The library is self-contained (the Swift runtime is linked in statically); it needs
# only system libraries (libc, libm, libstdc++, libgcc_s, libopenblas, libzmq).

PREFIX ?= /usr/local
RELEASE_DIR ?= .build/release
RTRL_MK_ROOT := $(patsubst %/mk/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
RTRL_VERSION := $(shell sed -n 's/^\#define RTRL_VERSION_STRING "\(.*\)"/\1/p' $(RTRL_MK_ROOT)/include/rtrl.h)
RTRL_MAJOR := $(firstword $(subst ., ,$(RTRL_VERSION)))
RTRL_INSTALL_LIB := $(DESTDIR)$(PREFIX)/lib
RTRL_INSTALL_INCLUDE := $(DESTDIR)$(PREFIX)/include
RTRL_INSTALL_PKGCONFIG := $(DESTDIR)$(PREFIX)/lib/pkgconfig

.PHONY: install uninstall

install:
	@test -f $(RELEASE_DIR)/librtrl.so || { echo "install: $(RELEASE_DIR)/librtrl.so is missing (make lib)"; exit 1; }
	install -d $(RTRL_INSTALL_LIB) $(RTRL_INSTALL_INCLUDE) $(RTRL_INSTALL_PKGCONFIG)
	install -m 755 $(RELEASE_DIR)/librtrl.so $(RTRL_INSTALL_LIB)/librtrl.so.$(RTRL_VERSION)
	ln -sf librtrl.so.$(RTRL_VERSION) $(RTRL_INSTALL_LIB)/librtrl.so.$(RTRL_MAJOR)
	ln -sf librtrl.so.$(RTRL_MAJOR) $(RTRL_INSTALL_LIB)/librtrl.so
	install -m 644 $(RTRL_MK_ROOT)/include/rtrl.h $(RTRL_INSTALL_INCLUDE)/rtrl.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(RTRL_VERSION)|g' \
	    $(RTRL_MK_ROOT)/rtrl.pc.in > $(RTRL_INSTALL_PKGCONFIG)/rtrl.pc
	@echo "installed librtrl $(RTRL_VERSION) under $(DESTDIR)$(PREFIX)"
	@echo "build with: PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig cc prog.c \$$(pkg-config --cflags --libs rtrl)"

uninstall:
	rm -f $(RTRL_INSTALL_LIB)/librtrl.so.$(RTRL_VERSION) $(RTRL_INSTALL_LIB)/librtrl.so.$(RTRL_MAJOR) \
	      $(RTRL_INSTALL_LIB)/librtrl.so $(RTRL_INSTALL_INCLUDE)/rtrl.h $(RTRL_INSTALL_PKGCONFIG)/rtrl.pc
