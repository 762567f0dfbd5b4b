#include "ui/speech_dialog.hpp"

#include "core/synth/tts.hpp"
#include "media/audio_player.hpp"
#include "redub/error.hpp"
#include "ui/theme.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace redub::ui {

SpeechFromTextDialog::SpeechFromTextDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New Speech from Text"));
    setObjectName(QStringLiteral("speechFromTextDialog"));
    auto* v = new QVBoxLayout(this);
    text_ = new QPlainTextEdit(this);
    text_->setPlaceholderText(tr("What the face should say (English, plain ASCII letters)"));
    text_->setMinimumSize(420, 120);
    v->addWidget(text_);
    auto* form = new QFormLayout;
    voice_ = new QComboBox(this);
    for (const auto& vi : core::synth::voiceInfos())
        voice_->addItem(QStringLiteral("%1 \u2014 %2").arg(QString::fromStdString(vi.name), QString::fromStdString(vi.description)),
                        QString::fromStdString(vi.name));
    auto* preview_button = new QPushButton(tr("Preview"), this);
    preview_button->setToolTip(tr("Hear the first sentence with this voice and rate"));
    auto* voice_row = new QHBoxLayout;
    voice_row->addWidget(voice_, 1);
    voice_row->addWidget(preview_button);
    form->addRow(tr("Voice"), voice_row);
    rate_ = new QDoubleSpinBox(this);
    rate_->setRange(0.5, 2.0);
    rate_->setSingleStep(0.1);
    rate_->setValue(1.0);
    rate_->setSuffix(QStringLiteral("\u00d7"));
    rate_->setToolTip(tr("Speaking rate: 1 is the voice's own pace, above 1 faster"));
    form->addRow(tr("Rate"), rate_);
    v->addLayout(form);
    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("speechError"));
    error_->setWordWrap(true);
    error_->setStyleSheet(theme::textColourStyle(theme::kNoFace));
    v->addWidget(error_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Use as New Speech"));
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &SpeechFromTextDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(preview_button, &QPushButton::clicked, this, &SpeechFromTextDialog::preview);
}

SpeechFromTextDialog::~SpeechFromTextDialog() = default;

QString SpeechFromTextDialog::text() const { return text_->toPlainText(); }
QString SpeechFromTextDialog::voice() const { return voice_->currentData().toString(); }
double SpeechFromTextDialog::rate() const { return rate_->value(); }
void SpeechFromTextDialog::setText(const QString& text) { text_->setPlainText(text); }
QString SpeechFromTextDialog::error() const { return error_->text(); }

bool SpeechFromTextDialog::check() {
    try {
        core::synth::checkSpeakableText(text().toStdString());
    } catch (const Error& e) {
        error_->setText(QString::fromStdString(e.what()));
        return false;
    }
    error_->clear();
    return true;
}

void SpeechFromTextDialog::accept() {
    if (check()) QDialog::accept();
}

void SpeechFromTextDialog::preview() {
    if (!check()) return;
    QString first = text().section(QRegularExpression(QStringLiteral("[.!?]")), 0, 0).trimmed();
    if (first.isEmpty()) first = text();
    try {
        const auto s = core::synth::synthesize(first.toStdString(), voice().toStdString(), rate());
        auto buf = std::make_shared<media::AudioBuffer>();
        buf->sample_rate = s.sample_rate;
        buf->channels = 1;
        buf->samples = s.samples;
        if (!player_) player_ = std::make_unique<media::AudioPlayer>();
        if (!player_->available()) {
            error_->setText(tr("No audio output to play the preview on (%1)")
                                .arg(QString::fromStdString(player_->unavailableReason())));
            return;
        }
        player_->setBuffer(buf);
        player_->play(0.0);
    } catch (const Error& e) {
        error_->setText(QString::fromStdString(e.what()));
    }
}

}  // namespace redub::ui
