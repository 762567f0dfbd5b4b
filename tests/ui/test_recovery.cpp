// Never losing work in the editor: a real editor killed with SIGKILL while its project has
// unsaved changes is recovered by the next one; a save removes the autosave; a project open
// in two editors is warned about. Uses its own app-data folder (XDG_DATA_HOME).
#include "support/test_support.hpp"
#include "ui/document.hpp"
#include "ui/main_window.hpp"
#include "ui/recovery.hpp"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace redub;

class TestRecovery : public QObject {
    Q_OBJECT
    QTemporaryDir home_;
    static QString sample(const char* name) { return QString::fromStdString(test::resource(name).string()); }
    static QStringList recoveryFiles() {
        return QDir(ui::Recovery::folder()).entryList({QStringLiteral("*.redub")}, QDir::Files);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("Redub"));  // as the editor names itself
        QCoreApplication::setApplicationName(QStringLiteral("Redub"));
        qputenv("XDG_DATA_HOME", home_.path().toUtf8());  // before anything asks QStandardPaths
        qputenv("REDUB_AUTOSAVE_MS", "200");
        QVERIFY(ui::Recovery::folder().startsWith(home_.path()));
    }

    void anEditorKilledWithUnsavedChangesIsRecoveredByTheNextOne() {
        // A real editor opens a video and its new speech (unsaved) and is killed mid-work.
        QProcess editor;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        editor.setProcessEnvironment(env);
        editor.start(QStringLiteral(REDUB_EDITOR), {sample("sample/talking-face.mp4"), sample("sample/new-speech.wav")});
        QVERIFY(editor.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(!recoveryFiles().isEmpty(), 30000);
        const qint64 pid = editor.processId();
        editor.kill();  // SIGKILL: no chance to clean up
        QVERIFY(editor.waitForFinished(10000));

        ui::MainWindow next;
        const auto found = next.recovery()->orphaned();
        QCOMPARE(found.size(), qsizetype(1));
        QCOMPARE(found[0].pid, pid);
        QVERIFY(found[0].project_file.isEmpty());  // it was untitled
        next.offerRecovery(/*without_asking=*/true);
        const auto& p = next.document()->project();
        QCOMPARE(QFileInfo(QString::fromStdString(p.video_path.string())).canonicalFilePath(),
                 QFileInfo(sample("sample/talking-face.mp4")).canonicalFilePath());
        QCOMPARE(QFileInfo(QString::fromStdString(p.speech_path.string())).canonicalFilePath(),
                 QFileInfo(sample("sample/new-speech.wav")).canonicalFilePath());
        QVERIFY(next.document()->isModified());  // still unsaved work, now this editor's
        QVERIFY(next.recovery()->orphaned().isEmpty());
        QVERIFY(next.lastError().isEmpty());
    }

    void savingTheProjectRemovesItsAutosave() {
        ui::Document doc;
        ui::Recovery recovery(&doc);
        doc.openFiles({sample("sample/talking-face.mp4"), sample("sample/new-speech.wav")});
        recovery.autosaveNow();
        QVERIFY(QFileInfo::exists(recovery.sessionFile()));
        doc.saveProjectFile(home_.filePath("saved.redub"));
        QVERIFY(!QFileInfo::exists(recovery.sessionFile()));
        recovery.autosaveNow();  // nothing unsaved: nothing written
        QVERIFY(!QFileInfo::exists(recovery.sessionFile()));
    }

    void aProjectOpenInAnotherEditorIsWarned() {
        const QString file = home_.filePath("shared.redub");
        ui::Document first, second;
        ui::Recovery first_recovery(&first), second_recovery(&second);
        first.openFiles({sample("sample/talking-face.mp4")});
        first.saveProjectFile(file);
        QSignalSpy warned(&second_recovery, &ui::Recovery::openElsewhere);
        second.loadProjectFile(file);
        QCOMPARE(warned.count(), 1);
        QCOMPARE(warned[0][0].toString(), QFileInfo(file).absoluteFilePath());
        QSignalSpy first_warned(&first_recovery, &ui::Recovery::openElsewhere);
        first.loadProjectFile(file);  // its own lock: no warning
        QCOMPARE(first_warned.count(), 0);
    }
};

QTEST_MAIN(TestRecovery)
#include "test_recovery.moc"
