// redub: the desktop editor.
//   redub [VIDEO] [--audio AUDIO] [--screenshot PATH] [--frame N]
#include "ui/main_window.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Redub"));
    QApplication::setOrganizationName(QStringLiteral("Redub"));
    QApplication::setApplicationVersion(QStringLiteral(REDUB_APP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Redub - re-synchronise lips to new speech"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Save a capture of the window to PATH and quit."),
                            QStringLiteral("PATH"));
    parser.addOption(shot);
    parser.process(app);

    redub::ui::MainWindow window;
    window.show();
    if (parser.isSet(shot)) {
        const QString path = parser.value(shot);
        QTimer::singleShot(500, &window, [&window, path] {
            const bool ok = window.grab().save(path);
            QApplication::exit(ok ? 0 : 4);
        });
    }
    return app.exec();
}
