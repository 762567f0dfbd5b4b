// redub: the desktop editor.
//   redub [FILES...] [--open VIDEO] [--audio AUDIO] [--project FILE.redub] [--frame N]
//         [--screenshot PATH] [--wipe] [--recover]
// --screenshot loads what was asked, waits for the analysis (thumbnails,
// waveforms, face scan) and the frame, saves a capture of the window and quits.
#include "ui/dub_controller.hpp"
#include "ui/main_window.hpp"
#include "ui/theme.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Redub"));
    QApplication::setOrganizationName(QStringLiteral("Redub"));
    QApplication::setApplicationVersion(QStringLiteral(REDUB_APP_VERSION));
    redub::ui::applyDarkTheme(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Redub - re-synchronise lips to new speech"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption shot(QStringLiteral("screenshot"),
                            QStringLiteral("Save a capture of the window to PATH and quit."), QStringLiteral("PATH"));
    QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Open VIDEO."), QStringLiteral("VIDEO"));
    QCommandLineOption audio(QStringLiteral("audio"), QStringLiteral("Use AUDIO as the new speech."),
                             QStringLiteral("AUDIO"));
    QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Open a .redub project."),
                               QStringLiteral("FILE"));
    QCommandLineOption frame(QStringLiteral("frame"), QStringLiteral("Show frame N."), QStringLiteral("N"));
    QCommandLineOption wipe(QStringLiteral("wipe"), QStringLiteral("Start in wipe view."));
    QCommandLineOption preview(QStringLiteral("preview"),
                               QStringLiteral("Generate the shown frame before the capture."));
    QCommandLineOption recover(QStringLiteral("recover"),
                               QStringLiteral("Restore the unsaved project an editor that did not close left "
                                              "behind, without asking."));
    parser.addOptions({shot, open, audio, project, frame, wipe, preview, recover});
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Videos, audio files or a project to open."));
    parser.process(app);

    redub::ui::MainWindow window;
    window.show();

    // Work an editor that crashed left behind: offered (asked) on a normal start.
    if (parser.isSet(recover) || !parser.isSet(shot))
        QTimer::singleShot(0, &window, [&window, &parser, &recover] { window.offerRecovery(parser.isSet(recover)); });

    QStringList files = parser.positionalArguments();
    if (parser.isSet(open)) files.prepend(parser.value(open));
    if (parser.isSet(project)) window.openProject(parser.value(project));
    if (!files.isEmpty()) window.openPaths(files);
    if (parser.isSet(audio)) window.openPaths({parser.value(audio)});
    if (parser.isSet(wipe)) window.setWipeView(true);
    if (parser.isSet(frame)) {
        bool ok = false;
        const qlonglong n = parser.value(frame).toLongLong(&ok);
        if (!ok || n < 0) {
            std::fprintf(stderr, "redub: --frame expects a frame number, got '%s'\n", qPrintable(parser.value(frame)));
            return 1;
        }
        window.seek(n);
    }

    if (parser.isSet(shot)) {
        const QString path = parser.value(shot);
        const bool want_preview = parser.isSet(preview);
        QTimer::singleShot(300, &window, [&window, path, want_preview] {
            window.settle();
            auto capture = [&window, path] {
                window.settle();
                const bool ok = window.grab().save(path);
                if (!ok) std::fprintf(stderr, "redub: cannot write %s\n", qPrintable(path));
                QApplication::exit(ok ? 0 : 4);
            };
            if (want_preview) {
                QObject::connect(
                    window.dub(), &redub::ui::DubController::finished, &window,
                    [capture](bool, bool, const QString&, const QString&) { QTimer::singleShot(200, capture); });
                window.previewCurrentFrame();
            } else {
                capture();
            }
        });
    }
    return app.exec();
}
