# `cpack -G DEB` in the build folder makes redub_<version>_amd64.deb: both programs, the
# bundled model and sample (share/redub, found relative to the programs' prefix), a desktop
# entry with its icon (SVG + PNG sizes), the .redub project MIME type and redub-cli's man page.
# docs/packaging.md; test_deb_package checks the package, installer/clean-room.sh deb installs it.
set(desktop ${CMAKE_CURRENT_LIST_DIR}/desktop)

# Icons: the SVG, and PNGs rendered from it at the sizes desktops ask for.
find_program(REDUB_RSVG_CONVERT rsvg-convert REQUIRED)  # package librsvg2-bin
set(icon_pngs)
foreach(size 32 48 64 128 256)
  set(png ${CMAKE_BINARY_DIR}/icons/${size}x${size}/redub.png)
  add_custom_command(OUTPUT ${png}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/icons/${size}x${size}
    COMMAND ${REDUB_RSVG_CONVERT} -w ${size} -h ${size} ${desktop}/redub.svg -o ${png}
    DEPENDS ${desktop}/redub.svg VERBATIM)
  list(APPEND icon_pngs ${png})
  install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
endforeach()
install(FILES ${desktop}/redub.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# redub-cli(1) from its own --help (help2man), with the sections in redub-cli.h2m.
find_program(REDUB_HELP2MAN help2man REQUIRED)  # package help2man
set(man ${CMAKE_BINARY_DIR}/man/redub-cli.1)
add_custom_command(OUTPUT ${man}.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND ${REDUB_HELP2MAN} --no-info --section=1 --include=${desktop}/redub-cli.h2m
          --version-string=${PROJECT_VERSION} -o ${man} $<TARGET_FILE:redub-cli>
  COMMAND gzip -9nf ${man}
  DEPENDS redub-cli ${desktop}/redub-cli.h2m VERBATIM)
add_custom_target(redub_desktop_files ALL DEPENDS ${icon_pngs} ${man}.gz)
install(FILES ${man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${desktop}/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/redub)
install(FILES ${desktop}/redub.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${desktop}/redub-mime.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME redub.xml)

set(CPACK_PACKAGE_NAME "redub")
set(CPACK_PACKAGE_VENDOR "Redub")
set(CPACK_PACKAGE_CONTACT "Redub developers <dev@redub.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Dubbing editor that re-synchronises lips to new speech")
set(CPACK_PACKAGE_DESCRIPTION "Redub repaints the lower face of a talking video so that the lips follow a new
speech recording (a re-take, a translation, a voice actor), with an audio-conditioned diffusion
model. It has a desktop editor (timeline, waveforms, face preview, preview before export) and a
command-line tool (dub, batch runs, speech from text, photo to talking video, lip-sync meter).")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # redub_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "video")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)    # the libraries the programs link (dpkg-shlibdeps)
# What the programs need besides the libraries they link: the landmark model, the editor's
# platform plugins; the extra voices are optional.
# (qt6-qpa-plugins: the editor's X11/Wayland platform plugins, which libqt6gui6 only recommends;
# libopenblas0-pthread: the threaded BLAS LibTorch should use, which nothing else pulls in.)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libdlib-data, qt6-qpa-plugins, libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "festival, festvox-us-slt-hts, espeak-ng")
set(CPACK_GENERATOR "DEB")
include(CPack)
