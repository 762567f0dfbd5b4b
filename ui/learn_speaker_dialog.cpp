#include "ui/learn_speaker_dialog.hpp"

#include "core/train/learn_speaker.hpp"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QPushButton>
#include <QDir>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace redub::ui {

LearnSpeakerDialog::LearnSpeakerDialog(const QString& video, const QString& model, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Learn This Speaker"));
    setObjectName(QStringLiteral("learnSpeakerDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Redub trains its model on <b>%1</b> with its own soundtrack, so the mouth it paints looks like this "
           "speaker's. The last part of the clip is held out: the model never trains on it, and the lip sync and "
           "sharpness there are measured before and after.<br><br>The job runs in the background with a progress "
           "bar; Cancel stops it and keeps the model you have now (learning again continues where it stopped).")
            .arg(QFileInfo(video).fileName().toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    intro->setMinimumWidth(420);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    minutes_ = new QSpinBox(this);
    minutes_->setObjectName(QStringLiteral("learnMinutes"));
    minutes_->setRange(1, 240);
    minutes_->setValue(10);
    minutes_->setSuffix(tr(" min"));
    form->addRow(tr("Training time"), minutes_);
    const QFileInfo mi(model);
    auto* where = new QLabel(mi.fileName().toHtmlEscaped(), this);
    where->setToolTip(model);
    form->addRow(tr("Speaker model"), where);
    QString last = tr("none yet: starts from the model chosen now");
    const auto r = core::readSpeakerReport(model.toStdString());
    if (mi.exists() && r.steps > 0)
        last = tr("%1 steps; lip sync r %2 \u2192 %3, sharpness %4 \u2192 %5. Learning again continues from it.")
                   .arg(r.steps)
                   .arg(r.before.sync_r, 0, 'f', 2)
                   .arg(r.after.sync_r, 0, 'f', 2)
                   .arg(r.before.sharpness, 0, 'f', 2)
                   .arg(r.after.sharpness, 0, 'f', 2);
    else if (mi.exists())
        last = tr("exists; learning again continues from it");
    auto* last_label = new QLabel(last, this);
    last_label->setWordWrap(true);
    form->addRow(tr("Last run"), last_label);
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start Learning"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

int LearnSpeakerDialog::minutes() const { return minutes_->value(); }
void LearnSpeakerDialog::setMinutes(int minutes) { minutes_->setValue(minutes); }

QString LearnSpeakerDialog::speakerModelPath(const QString& project_file, const QString& video) {
    const QFileInfo base(!project_file.isEmpty() ? project_file : video);
    return base.absoluteDir().filePath(base.completeBaseName() + QStringLiteral(".speaker.safetensors"));
}

}  // namespace redub::ui
