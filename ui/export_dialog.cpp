#include "ui/export_dialog.hpp"

#include "ui/model_list.hpp"
#include "ui/theme.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace redub::ui {

QString ExportDialog::proposedOutput(const core::Project& p) {
    if (!p.output.output_path.empty()) return QString::fromStdString(p.output.output_path.string());
    const QFileInfo v(QString::fromStdString(p.video_path.string()));
    return v.absoluteDir().filePath(v.completeBaseName() + QStringLiteral("-redub.mp4"));
}

ExportDialog::ExportDialog(const core::Project& p, const QStringList& models, QWidget* parent)
    : QDialog(parent), video_(p.video_path) {
    setWindowTitle(tr("Export dubbed video"));
    setObjectName(QStringLiteral("exportDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(8);

    output_ = new QLineEdit(proposedOutput(p), this);
    output_->setObjectName(QStringLiteral("outputPath"));
    output_->setMinimumWidth(380);
    auto* browse = new QPushButton(tr("Browse\u2026"), this);
    auto* out_row = new QHBoxLayout;
    out_row->addWidget(output_, 1);
    out_row->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Export to"), output_->text(), tr("MP4 video (*.mp4)"));
        if (!f.isEmpty()) output_->setText(f.endsWith(QStringLiteral(".mp4"), Qt::CaseInsensitive) ? f : f + ".mp4");
    });
    form->addRow(tr("Output file"), out_row);

    quality_ = new QComboBox(this);
    for (auto [label, crf] : {std::pair{tr("Best (CRF 14)"), 14},
                              {tr("High (CRF 18)"), 18},
                              {tr("Good (CRF 22)"), 22},
                              {tr("Small file (CRF 28)"), 28}})
        quality_->addItem(label, crf);
    quality_->setCurrentIndex(std::max(0, quality_->findData(p.output.crf)));
    if (quality_->findData(p.output.crf) < 0) {
        quality_->addItem(tr("Custom (CRF %1)").arg(p.output.crf), p.output.crf);
        quality_->setCurrentIndex(quality_->count() - 1);
    }
    form->addRow(tr("Quality"), quality_);

    preset_ = new QComboBox(this);
    for (const char* s : {"ultrafast", "veryfast", "fast", "medium", "slow", "veryslow"}) preset_->addItem(s);
    preset_->setCurrentText(QString::fromStdString(p.output.preset));
    preset_->setToolTip(tr("Encoder speed: slower presets make smaller files at the same quality"));
    form->addRow(tr("Encoder preset"), preset_);

    model_ = new QComboBox(this);
    ModelList::fill(model_, tr("Bundled default model"), models, p.model_path);
    form->addRow(tr("Model"), model_);

    steps_ = new QSpinBox(this);
    steps_->setRange(0, core::kMaxSamplerSteps);
    steps_->setSpecialValueText(tr("model default"));
    steps_->setValue(p.steps);
    form->addRow(tr("Sampler steps"), steps_);

    seed_ = new QSpinBox(this);
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setValue(int(std::min<uint64_t>(p.seed, uint64_t(std::numeric_limits<int>::max()))));
    form->addRow(tr("Seed"), seed_);

    device_ = new QComboBox(this);
    for (const auto& d : core::devices()) device_->addItem(QString::fromStdString(d));
    device_->setCurrentText(QString::fromStdString(p.device));
    form->addRow(tr("Device"), device_);
    layout->addLayout(form);

    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    summary_->setStyleSheet(theme::summaryStyle());
    int64_t n = 0;
    for (const auto& r : p.ranges) n += r.length();
    const QString which =
        p.ranges.size() == 1 ? tr("the selected range") : tr("the %1 selected ranges").arg(p.ranges.size());
    summary_->setText(p.ranges.empty()
                          ? tr("Every frame with a face is re-synchronised.")
                          : tr("Only %1 (%2 frames) is re-synchronised; the rest of the video is copied as it is.")
                                .arg(which)
                                .arg(n));
    layout->addWidget(summary_);
    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("exportError"));
    error_->setWordWrap(true);
    error_->setStyleSheet(theme::dialogErrorStyle());
    error_->hide();
    layout->addWidget(error_);
    connect(output_, &QLineEdit::textChanged, error_, &QLabel::hide);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    auto* go = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    go->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    layout->addWidget(buttons);
}

QString ExportDialog::outputPath() const { return output_->text().trimmed(); }
void ExportDialog::setOutputPath(const QString& p) { output_->setText(p); }
QString ExportDialog::modelPath() const { return model_->currentData().toString(); }
int ExportDialog::steps() const { return steps_->value(); }
uint64_t ExportDialog::seed() const { return uint64_t(seed_->value()); }
QString ExportDialog::device() const { return device_->currentText(); }

core::ExportSettings ExportDialog::exportSettings() const {
    core::ExportSettings s;
    s.output_path = outputPath().toStdString();
    s.crf = quality_->currentData().toInt();
    s.preset = preset_->currentText().toStdString();
    return s;
}

void ExportDialog::accept() {
    // Problems are shown in the dialog itself, so the user fixes them in place.
    auto refuse = [this](const QString& why) {
        error_->setText(why);
        error_->show();
        output_->setFocus();
    };
    const QFileInfo out(outputPath());
    if (outputPath().isEmpty()) return refuse(tr("Choose an output file."));
    if (!out.absoluteDir().exists()) return refuse(tr("%1: the folder does not exist.").arg(out.absolutePath()));
    if (out.isDir()) return refuse(tr("%1 is a folder; add a file name.").arg(out.absoluteFilePath()));
    if (!QFileInfo(out.absolutePath()).isWritable())
        return refuse(tr("%1: the folder is not writable.").arg(out.absolutePath()));
    if (QFileInfo(outputPath()) == QFileInfo(QString::fromStdString(video_.string())))
        return refuse(tr("The output would overwrite the source video; choose another name."));
    if (out.exists() && QMessageBox::question(this, windowTitle(), tr("%1 exists. Replace it?").arg(out.fileName())) !=
                            QMessageBox::Yes)
        return;
    QDialog::accept();
}

QString ExportDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

}  // namespace redub::ui
