#include "ui/settings_panel.hpp"

#include "ui/document.hpp"
#include "ui/model_list.hpp"
#include "ui/theme.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace redub::ui {
namespace {

QLabel* sectionLabel(const QString& text, QWidget* parent) {
    auto* l = new QLabel(text.toUpper(), parent);
    l->setStyleSheet(theme::sectionLabelStyle());
    return l;
}

QString fileName(const std::filesystem::path& p) { return QFileInfo(QString::fromStdString(p.string())).fileName(); }

// One line of the media summary: a coloured square, a label and the value under it.
QString mediaLine(const QColor& colour, const QString& label, const QString& value) {
    return QStringLiteral(
               "<div style='margin:2px 0'><span style='color:%1'>\u25a0</span> "
               "<span style='color:%2'>%3</span><br><span style='color:%4'>%5</span></div>")
        .arg(colour.name(), theme::kDimText.name(), label, theme::kText.name(), value.toHtmlEscaped());
}

}  // namespace

SettingsPanel::SettingsPanel(Document* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    setObjectName(QStringLiteral("settingsPanel"));
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(12, 4, 12, 12);
    v->setSpacing(4);
    v->addWidget(sectionLabel(tr("Media"), this));
    files_label_ = new QLabel(this);
    files_label_->setWordWrap(true);
    files_label_->setTextFormat(Qt::RichText);
    v->addWidget(files_label_);
    v->addWidget(sectionLabel(tr("Face"), this));
    face_label_ = new QLabel(this);
    face_label_->setWordWrap(true);
    v->addWidget(face_label_);
    auto* auto_face = new QPushButton(tr("Use the largest face"), this);
    auto_face->setStyleSheet(theme::smallButtonStyle());
    connect(auto_face, &QPushButton::clicked, this, [this] { doc_->requestFace(std::nullopt); });
    v->addWidget(auto_face, 0, Qt::AlignLeft);

    v->addWidget(sectionLabel(tr("Generation"), this));
    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(6);
    model_box_ = new QComboBox(this);
    model_box_->setObjectName(QStringLiteral("modelBox"));
    steps_box_ = new QSpinBox(this);
    steps_box_->setRange(0, core::kMaxSamplerSteps);
    steps_box_->setSpecialValueText(tr("default"));
    seed_box_ = new QSpinBox(this);
    seed_box_->setRange(0, std::numeric_limits<int>::max());
    device_box_ = new QComboBox(this);
    for (const auto& d : core::devices()) device_box_->addItem(QString::fromStdString(d));
    policy_box_ = new QComboBox(this);
    policy_box_->setToolTip(tr("What to do when the speech and the video differ in length"));
    for (const auto& p : core::lengthPolicies()) policy_box_->addItem(QString::fromStdString(p));
    form->addRow(tr("Model"), model_box_);
    form->addRow(tr("Steps"), steps_box_);
    form->addRow(tr("Seed"), seed_box_);
    form->addRow(tr("Device"), device_box_);
    form->addRow(tr("Length"), policy_box_);
    own_lips_box_ = new QCheckBox(tr("Speaker's own lips"), this);
    own_lips_box_->setObjectName(QStringLiteral("ownLipsBox"));
    own_lips_box_->setToolTip(
        tr("The speaker's own lips and teeth moved to the shape the model generated, so the mouth is as sharp "
           "as the rest of the face. Off: the model's own pixels. Draft Quality always uses the model's."));
    form->addRow(tr("Lips"), own_lips_box_);
    articulation_box_ = new QDoubleSpinBox(this);
    articulation_box_->setObjectName(QStringLiteral("articulationBox"));
    articulation_box_->setRange(double(core::kMinArticulation), double(core::kMaxArticulation));
    articulation_box_->setSingleStep(0.1);
    articulation_box_->setDecimals(2);
    articulation_box_->setSuffix(QStringLiteral(" \u00d7"));
    articulation_box_->setToolTip(
        tr("How wide the mouth opens, times the opening the model generated (1: as generated). More for a "
           "speaker whose mouth barely moves, less for a calmer mouth. Needs the speaker's own lips."));
    form->addRow(tr("Articulation"), articulation_box_);
    v->addLayout(form);
    v->addStretch(1);

    connect(model_box_, &QComboBox::activated, this,
            [this] { doc_->requestModel(model_box_->currentData().toString().toStdString()); });
    connect(steps_box_, &QSpinBox::editingFinished, this, [this] { doc_->requestSteps(steps_box_->value()); });
    connect(seed_box_, &QSpinBox::editingFinished, this, [this] { doc_->requestSeed(uint64_t(seed_box_->value())); });
    connect(device_box_, &QComboBox::activated, this,
            [this] { doc_->requestDevice(device_box_->currentText().toStdString()); });
    connect(policy_box_, &QComboBox::activated, this,
            [this] { doc_->requestLengthPolicy(policy_box_->currentText().toStdString()); });
    connect(own_lips_box_, &QCheckBox::toggled, this, [this](bool on) { doc_->requestOwnLips(on); });
    connect(articulation_box_, &QDoubleSpinBox::editingFinished, this,
            [this] { doc_->requestArticulation(float(articulation_box_->value())); });
}

void SettingsPanel::refresh() {
    const auto& p = doc_->project();
    const auto& video = doc_->videoInfo();
    const auto& speech = doc_->speechInfo();
    QString files;
    files += mediaLine(QColor(0x8a, 0x9b, 0xb0), tr("Video"),
                       doc_->hasVideo() ? QStringLiteral("%1  (%2\u00d7%3, %4 frames)")
                                              .arg(fileName(p.video_path))
                                              .arg(video->video->width)
                                              .arg(video->video->height)
                                              .arg(doc_->frameCount())
                                        : tr("none \u2014 drop a video"));
    files += mediaLine(theme::kSpeech, tr("New speech"),
                       speech && speech->audio ? QStringLiteral("%1  (%2 s)")
                                                     .arg(fileName(p.speech_path))
                                                     .arg(speech->audio->duration_s, 0, 'f', 2)
                                               : tr("none \u2014 drop an audio file"));
    files_label_->setText(files);
    face_label_->setText(p.face ? tr("Chosen by clicking at (%1, %2) in frame %3")
                                      .arg(double(p.face->x), 0, 'f', 0)
                                      .arg(double(p.face->y), 0, 'f', 0)
                                      .arg(p.face->frame)
                                : tr("Automatic: the largest face. Click a face in the original to choose it."));
    const QSignalBlocker b1(model_box_), b2(steps_box_), b3(seed_box_), b4(device_box_), b5(policy_box_),
        b6(own_lips_box_), b7(articulation_box_);
    ModelList::fill(model_box_, tr("Bundled default"), ModelList::remembered(), p.model_path);
    steps_box_->setValue(p.steps);
    seed_box_->setValue(int(std::min<uint64_t>(p.seed, uint64_t(std::numeric_limits<int>::max()))));
    device_box_->setCurrentText(QString::fromStdString(p.device));
    policy_box_->setCurrentText(QString::fromStdString(p.length_policy));
    own_lips_box_->setChecked(p.own_lips);
    articulation_box_->setValue(double(p.articulation));
    articulation_box_->setEnabled(p.own_lips);
}

}  // namespace redub::ui
