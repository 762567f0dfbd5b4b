// What the editor tests share: real media (a 1.2 s and a 4 s cut of the bundled sample,
// the new speech, a broken file), a tiny random model for the generation tests, and
// mouse, drag-and-drop and model helpers.
#pragma once

#include "models/config.hpp"
#include "models/generator.hpp"
#include "support/test_support.hpp"
#include "support/tiny_model.hpp"
#include "ui/document.hpp"
#include "ui/main_window.hpp"

#include <QMimeData>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <fstream>
#include <memory>

namespace redub::test {

inline void sendMouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButtons buttons,
                      Qt::KeyboardModifiers mods = Qt::NoModifier) {
    const Qt::MouseButton button = type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, mods);
    QApplication::sendEvent(w, &e);
}

// Press at `from`, move in steps to `to`, release there.
inline void drag(QWidget* w, QPointF from, QPointF to, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    sendMouse(w, QEvent::MouseButtonPress, from, Qt::LeftButton, mods);
    for (int i = 1; i <= 5; ++i) sendMouse(w, QEvent::MouseMove, from + (to - from) * (i / 5.0), Qt::LeftButton, mods);
    sendMouse(w, QEvent::MouseButtonRelease, to, Qt::NoButton, mods);
}

// The project's model, sampler steps and seed, on the CPU (one undo step each).
inline void useModel(ui::Document* d, const std::string& model, int steps, uint64_t seed) {
    d->requestModel(model);
    d->requestSteps(steps);
    d->requestSeed(seed);
    d->requestDevice("cpu");
}

inline void dropFiles(QWidget* target, const QStringList& files) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& f : files) urls << QUrl::fromLocalFile(f);
    mime.setUrls(urls);
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    QVERIFY(drop.isAccepted());
    QCoreApplication::processEvents();  // the drop opens the files on the next turn of the loop
}

class EditorFixture {
protected:
    QTemporaryDir dir_;
    QString video_, speech_, long_video_, model_, garbage_;

    QString tmp(const QString& name) const { return dir_.filePath(name); }

    // A window with the short clip and the speech loaded and analysed.
    std::unique_ptr<ui::MainWindow> loadedWindow() {
        auto w = std::make_unique<ui::MainWindow>();
        w->resize(1280, 800);
        w->show();
        if (!w->openPaths({video_, speech_})) return nullptr;
        w->settle();
        return w;
    }

    // 15 grey frames (no face) followed by the first 15 frames of the sample (a face).
    QString greyThenFace(const char* name) {
        const QString out = tmp(name);
        const bool ok = ffmpeg({"-f", "lavfi", "-i", "color=c=gray:s=400x300:r=25:d=0.6", "-i", video_, "-filter_complex",
                                      "[1:v]trim=duration=0.6,setpts=PTS-STARTPTS[f];[0:v][f]concat=n=2:v=1[v]", "-map",
                                      "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out});
        return ok ? out : QString();
    }

    // Makes the media and the model (from initTestCase).
    void prepare() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings go to a throw-away place
        QVERIFY(dir_.isValid());
        const QString sample = QString::fromStdString(resource("sample/talking-face.mp4").string());
        const QString wav = QString::fromStdString(resource("sample/new-speech.wav").string());
        video_ = tmp("clip.mp4");
        speech_ = tmp("speech.wav");
        long_video_ = tmp("long.mp4");
        QVERIFY(ffmpeg({"-i", sample, "-t", "1.2", "-c:v", "libx264", "-preset", "ultrafast", video_}));
        QVERIFY(ffmpeg({"-i", wav, "-t", "1.5", speech_}));
        QVERIFY(ffmpeg({"-i", sample, "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", long_video_}));
        garbage_ = tmp("broken.mp4");
        std::ofstream(garbage_.toStdString()) << std::string(4096, 'x');

        model_ = tmp("tiny.safetensors");
        models::writeRandomModel(test::tinyModelConfig(), model_.toStdString(), 1);
    }
};

}  // namespace redub::test
