# The Debian package (CPack's DEB generator; scripts/package.sh runs it on a
# release build configured with the prefix /usr). Its maintainer scripts,
# packaging/deb/, do what debhelper's would for a service that is not started
# on installation: the operator writes the configuration first, then runs
# `systemctl enable --now roiwatchd`.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME roiwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "ROI alerting daemon for marketing campaigns")
# The extended description: CPack indents its lines and writes " ." for the
# empty one.
set(CPACK_PACKAGE_DESCRIPTION "roiwatchd ingests campaign metrics (HTTP, a watched inbox, pulled
exports), judges ROI and other KPIs against each client's thresholds and
rules, and sends alerts and digests by e-mail, webhooks and chat services.
roiwatch is its operator's command line.

The service is installed but neither enabled nor started: edit
/etc/roiwatch, then run `systemctl enable --now roiwatchd`.")
set(ROIWATCH_DEB_MAINTAINER "roiwatch maintainers <roiwatch@example.org>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${ROIWATCH_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Debian revision: scripts/package.sh passes another one to cpack
# (-D CPACK_DEBIAN_PACKAGE_RELEASE=2) to make an upgrade of the same version.
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The libraries' packages come from dpkg-shlibdeps (package dpkg-dev); time
# zones are read from tzdata's files, the unit's ExecReload= runs /bin/kill
# (procps: not in every Debian system with systemd), and https needs the CA
# certificates.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata, procps")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "default-mta | mail-transport-agent")
set(CPACK_STRIP_FILES ON)
# The files under /etc are conffiles (dpkg keeps the operator's edits on
# upgrade and asks when the packaged one changed too); the list follows the
# installed examples.
set(ROIWATCH_CONFFILES "")
foreach(f ${ROIWATCH_CONF_FILES})
  string(APPEND ROIWATCH_CONFFILES "${ROIWATCH_CONFDIR}/${f}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles "${ROIWATCH_CONFFILES}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/deb/conffiles
    ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
# Maintainer scripts 0755, conffiles list 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
