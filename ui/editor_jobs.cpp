#include "ui/editor_jobs.hpp"

#include "core/train/learn_speaker.hpp"
#include "redub/log.hpp"
#include "ui/document.hpp"
#include "ui/dub_controller.hpp"
#include "ui/learn_speaker_dialog.hpp"
#include "ui/model_list.hpp"

#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>

#include <utility>

namespace redub::ui {

EditorJobs::EditorJobs(Document* doc, DubController* dub, ModelList* models, QWidget* window)
    : QObject(window), doc_(doc), dub_(dub), models_(models), window_(window) {
    connect(dub_, &DubController::finished, this, &EditorJobs::onFinished);
    connect(dub_, &DubController::speakerLearned, this, &EditorJobs::onSpeakerLearned);
    // Speech from text and the moving still arrive like dropped files.
    connect(dub_, &DubController::speechReady, this, [this](const QString& path) {
        try {
            doc_->setSpeech(path);
        } catch (const std::exception& e) {
            Q_EMIT failed(tr("Cannot use the spoken text"), QString::fromUtf8(e.what()));
        }
    });
    connect(dub_, &DubController::videoReady, this, [this](const QString& path) {
        try {
            doc_->setVideo(path);
        } catch (const std::exception& e) {
            Q_EMIT failed(tr("Cannot use the moving photo"), QString::fromUtf8(e.what()));
        }
    });
}

QString EditorJobs::outputFolder() const {
    return !doc_->projectFile().isEmpty() ? QFileInfo(doc_->projectFile()).absolutePath()
           : doc_->hasVideo() ? QFileInfo(QString::fromStdString(doc_->project().video_path.string())).absolutePath()
                              : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

void EditorJobs::newSpeechFromText(const QString& text, const QString& voice, double rate) {
    const QString dir = outputFolder();
    QDir().mkpath(dir);
    const QString out = QDir(dir).filePath(
        QStringLiteral("speech-%1.wav").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"))));
    media_job_ = true;
    dub_->speakText(text, voice, rate, out);
}

void EditorJobs::newFromPhoto(const QString& photo) {
    const auto& speech = doc_->speechInfo();
    const double seconds = speech && speech->audio ? std::max(1.0, speech->audio->duration_s) : 10.0;
    const QFileInfo fi(photo);
    QString out = fi.absoluteDir().filePath(fi.completeBaseName() + QStringLiteral("-moving.mp4"));
    for (int k = 2; QFileInfo::exists(out); ++k)  // never over a file the user already has
        out = fi.absoluteDir().filePath(fi.completeBaseName() + QStringLiteral("-moving-%1.mp4").arg(k));
    media_job_ = true;
    dub_->renderPhoto(photo, seconds, out);
}

void EditorJobs::learnSpeaker(int minutes) {
    if (!doc_->hasVideo()) return;
    const auto& p = doc_->project();
    const QString video = QString::fromStdString(p.video_path.string());
    const QString out = LearnSpeakerDialog::speakerModelPath(doc_->projectFile(), video);
    if (minutes <= 0) {
        LearnSpeakerDialog dlg(video, out, window_);
        if (dlg.exec() != QDialog::Accepted) return;
        minutes = dlg.minutes();
    }
    Q_EMIT aboutToStart();
    auto lp = core::LearnSpeakerParams::defaults();
    lp.video = p.video_path;
    lp.out = out.toStdString();
    // Continue from this speaker's model when there is one, else from the model chosen now.
    lp.from = QFileInfo::exists(out) ? lp.out : p.model_path;
    lp.minutes = minutes;
    lp.device = p.device;
    log::ui()->info("learn this speaker: {} for {} min -> {}", p.video_path.string(), minutes, lp.out.string());
    dub_->learnSpeaker(lp);
}

void EditorJobs::exportTo(const QString& output) {
    Q_EMIT aboutToStart();
    log::ui()->info("export to {}", output.toStdString());
    dub_->exportVideo(output);
}

void EditorJobs::generateAll() {
    Q_EMIT aboutToStart();
    dub_->generateAll();
}

void EditorJobs::onSpeakerLearned(const QString& model, const QString& summary, bool better) {
    // A model that follows the held-out speech less well than the start is kept on disk and
    // offered in the model list, but the project stays on the model it had.
    if (better)
        models_->use(model);
    else
        models_->remember(model);
    log::ui()->info("learned the speaker: {} ({})", model.toStdString(), summary.toStdString());
    const QString name = QFileInfo(model).fileName().toHtmlEscaped();
    auto* box = new QMessageBox(QMessageBox::Information, tr("Learned this speaker"),
                                better ? tr("The project now uses <b>%1</b>.").arg(name)
                                       : tr("<b>%1</b> did not follow the held-out speech better: the project keeps "
                                            "its model. Choose %1 in the model list to try it.")
                                             .arg(name),
                                QMessageBox::Ok, window_);
    box->setObjectName(QStringLiteral("speakerLearnedDialog"));
    box->setInformativeText(summary);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void EditorJobs::onFinished(bool ok, bool cancelled, const QString& message, const QString& output) {
    if (std::exchange(media_job_, false) && ok) {  // loaded by speechReady / videoReady
        Q_EMIT this->message(message, 8000);
        log::ui()->info("{}", message.toStdString());
        return;
    }
    if (cancelled) {
        Q_EMIT this->message(tr("Cancelled; nothing was written"), 6000);
        log::ui()->info("cancelled");
        return;
    }
    if (!ok) {
        Q_EMIT failed(tr("Generation failed"), message);
        return;
    }
    Q_EMIT this->message(message, 8000);
    if (output.isEmpty()) return;
    log::ui()->info("{}", message.toStdString());
    auto* box = new QMessageBox(QMessageBox::Information, tr("Export finished"),
                                tr("The dubbed video is ready:<br><b>%1</b>").arg(output.toHtmlEscaped()),
                                QMessageBox::Ok, window_);
    box->setObjectName(QStringLiteral("exportDoneDialog"));
    box->setInformativeText(message);
    QPushButton* show = box->addButton(tr("Show in Folder"), QMessageBox::ActionRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [show, output](QAbstractButton* b) {
        if (b == show) QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(output).absolutePath()));
    });
    box->open();
}

}  // namespace redub::ui
