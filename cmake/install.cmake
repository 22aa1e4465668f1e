# What `cmake --install` puts where, by the FHS (GNUInstallDirs): for the
# prefix /usr (the .deb) /usr/bin/roiwatch, /usr/sbin/roiwatchd (a daemon the
# operator does not run by hand), /usr/lib/systemd/system/roiwatchd.service,
# /usr/share/doc/roiwatch; for /usr/local the same under /usr/local.
# The configuration is /etc/roiwatch whatever the prefix: the unit's
# ConfigurationDirectory= names it, and so do the programs' default -c and the
# README.
#
# No sysusers.d or tmpfiles.d snippet: the unit runs with DynamicUser=yes, so
# systemd allocates the user at each start and no account has to exist, and
# StateDirectory=roiwatch makes /var/lib/roiwatch (owned by that user) before
# the daemon starts; nothing else needs creating at boot.
include(GNUInstallDirs)

set(ROIWATCH_CONFDIR /etc/roiwatch)
set(ROIWATCH_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING
    "systemd system unit directory, relative to the install prefix")
set(ROIWATCH_FULL_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(ROIWATCH_FULL_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})
set(ROIWATCH_FULL_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})

install(TARGETS roiwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS roiwatchd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})

# The unit names the programs by absolute path: written at configure time for
# the prefix given then (an install with another --prefix needs a build
# configured with it).
configure_file(${CMAKE_SOURCE_DIR}/systemd/roiwatchd.service.in
               ${CMAKE_BINARY_DIR}/systemd/roiwatchd.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/systemd/roiwatchd.service
        DESTINATION ${ROIWATCH_SYSTEMD_UNITDIR})

# The commented example configuration. Its relative paths (clients.d,
# tokens/*.token) resolve against /etc/roiwatch, its state_dir is
# /var/lib/roiwatch (the unit's StateDirectory=), the inbox inside it. An
# install never overwrites a file the operator may have edited: each is copied
# only when absent (under $DESTDIR, so a package's staging tree always gets
# them; dpkg then keeps edited ones as conffiles). The example clients' ingest
# tokens are not installed: a token everybody knows is no token. The .deb's
# postinst makes random ones; after a plain `cmake --install` the operator
# writes them (the error of check-config names the missing file).
set(ROIWATCH_CONF_FILES roiwatchd.conf)
file(GLOB ROIWATCH_CLIENT_CONFS RELATIVE ${CMAKE_SOURCE_DIR}/conf
     CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/conf/clients.d/*.conf)
list(APPEND ROIWATCH_CONF_FILES ${ROIWATCH_CLIENT_CONFS})
foreach(f ${ROIWATCH_CONF_FILES})
  get_filename_component(dir ${ROIWATCH_CONFDIR}/${f} DIRECTORY)
  install(CODE "
    if(EXISTS \"\$ENV{DESTDIR}${ROIWATCH_CONFDIR}/${f}\")
      message(STATUS \"Kept (exists): \$ENV{DESTDIR}${ROIWATCH_CONFDIR}/${f}\")
    else()
      file(INSTALL DESTINATION \"${dir}\" TYPE FILE
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
           FILES \"${CMAKE_SOURCE_DIR}/conf/${f}\")
    endif()")
endforeach()
install(DIRECTORY DESTINATION ${ROIWATCH_CONFDIR}/tokens)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Example metric files and a client with one receiver of each chat type.
install(DIRECTORY conf/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
