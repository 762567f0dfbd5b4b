#include "redub/error.hpp"
#include "redub/units.hpp"
#include "ui/theme.hpp"
#include "ui/timeline.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace redub::ui {

std::optional<int64_t> TimelinePanel::alignSpeech(bool confirm) {
    const QString title = tr("Align speech");
    std::optional<core::OffsetEstimate> e;
    try {
        e = doc_->proposeAlignment();
    } catch (const Error& err) {
        if (confirm) QMessageBox::warning(this, title, QString::fromStdString(err.what()));
        return std::nullopt;
    }
    if (!e) {
        if (confirm)
            QMessageBox::information(this, title, tr("The video's faces and the new speech are still being analysed."));
        return std::nullopt;
    }
    const int64_t now = doc_->project().offset_samples;
    const double move_ms = msFromSamples(e->offset_samples - now, core::kOffsetSampleRate);
    if (confirm) {
        if (std::abs(move_ms) < 10) {
            QMessageBox::information(this, title, tr("The new speech is already in place (within 10 ms)."));
            return std::nullopt;
        }
        const QString text = tr("The new speech is %1 ms %2 (confidence %3). Move it to %4 ms?")
                                 .arg(std::abs(move_ms), 0, 'f', 0)
                                 .arg(move_ms < 0 ? tr("late") : tr("early"))
                                 .arg(e->confidence, 0, 'f', 2)
                                 .arg(msFromSamples(e->offset_samples, core::kOffsetSampleRate), 0, 'f', 0);
        if (QMessageBox::question(this, title, text) != QMessageBox::Yes) return std::nullopt;
    }
    doc_->requestOffset(e->offset_samples);
    return e->offset_samples;
}

TimelinePanel::TimelinePanel(Document* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto* bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("timelineBar"));
    bar->setStyleSheet(theme::timelineBarStyle());
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(8, 4, 8, 4);
    row->setSpacing(6);

    auto* offset_label = new QLabel(tr("Speech offset"), bar);
    offset_ms_ = new QSpinBox(bar);
    offset_ms_->setObjectName(QStringLiteral("offsetBox"));
    offset_ms_->setRange(-3600 * 1000, 3600 * 1000);
    offset_ms_->setSuffix(tr(" ms"));
    offset_ms_->setSingleStep(10);
    offset_ms_->setKeyboardTracking(false);
    offset_ms_->setToolTip(tr("Delay of the new speech against the video (drag the speech clip, or type)"));
    offset_ms_->setMinimumWidth(96);
    auto nudge = [this](const QString& text, int64_t samples, const QString& tip) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, this,
                [this, samples] { doc_->requestOffset(doc_->project().offset_samples + samples); });
        return b;
    };
    const int64_t frame_samples = core::kOffsetSampleRate / 25;
    row->addWidget(offset_label);
    row->addWidget(nudge(QStringLiteral("\u00ab"), -frame_samples, tr("Earlier by one frame (40 ms at 25 fps)")));
    row->addWidget(nudge(QStringLiteral("\u2039"), -samplesFromMs(10, core::kOffsetSampleRate), tr("Earlier by 10 ms")));
    row->addWidget(offset_ms_);
    row->addWidget(nudge(QStringLiteral("\u203a"), samplesFromMs(10, core::kOffsetSampleRate), tr("Later by 10 ms")));
    row->addWidget(nudge(QStringLiteral("\u00bb"), frame_samples, tr("Later by one frame")));
    auto* align = new QToolButton(bar);
    align->setObjectName(QStringLiteral("alignButton"));
    align->setText(tr("Align"));
    align->setToolTip(tr("Line the new speech up with the video's own speech (or, without one, with the mouth)"));
    align->setAutoRaise(true);
    connect(align, &QToolButton::clicked, this, [this] { alignSpeech(true); });
    row->addWidget(align);
    row->addSpacing(16);
    ranges_label_ = new QLabel(bar);
    ranges_label_->setStyleSheet(theme::dimLabelStyle());
    row->addWidget(ranges_label_);
    row->addStretch(1);
    auto* zoom_label = new QLabel(tr("Zoom"), bar);
    zoom_label->setStyleSheet(theme::dimLabelStyle());
    zoom_ = new QSlider(Qt::Horizontal, bar);
    zoom_->setRange(0, 1000);
    zoom_->setFixedWidth(140);
    auto* fit = new QToolButton(bar);
    fit->setText(tr("Fit"));
    fit->setAutoRaise(true);
    row->addWidget(zoom_label);
    row->addWidget(zoom_);
    row->addWidget(fit);
    layout->addWidget(bar);

    view_ = new TimelineView(doc, this);
    layout->addWidget(view_, 1);
    scroll_ = new QScrollBar(Qt::Horizontal, this);
    layout->addWidget(scroll_);

    connect(offset_ms_, &QSpinBox::valueChanged, this, [this](int ms) {
        if (std::llround(msFromSamples(doc_->project().offset_samples, core::kOffsetSampleRate)) != ms)
            doc_->requestOffset(samplesFromMs(ms, core::kOffsetSampleRate));
    });
    auto sync_offset = [this] {
        const QSignalBlocker block(offset_ms_);
        offset_ms_->setValue(int(std::llround(msFromSamples(doc_->project().offset_samples, core::kOffsetSampleRate))));
    };
    connect(doc_, &Document::offsetChanged, this, sync_offset);
    connect(doc_, &Document::projectReset, this, sync_offset);
    auto sync_ranges = [this] {
        const auto& rs = doc_->project().ranges;
        int64_t n = 0;
        for (const auto& r : rs) n += r.length();
        ranges_label_->setText(rs.empty()
                                   ? tr("Re-sync: whole video (drag over the video lane to choose ranges)")
                                   : (rs.size() == 1 ? tr("Re-sync: 1 range, %1 frames").arg(n)
                                                     : tr("Re-sync: %1 ranges, %2 frames").arg(rs.size()).arg(n)));
    };
    connect(doc_, &Document::rangesChanged, this, sync_ranges);
    connect(doc_, &Document::projectReset, this, sync_ranges);
    sync_ranges();

    // Zoom slider: logarithmic in pixels per second.
    auto to_slider = [](double pps) {
        return int(std::lround(1000 * std::log(pps / TimelineView::kMinPps) / std::log(TimelineView::kMaxPps / TimelineView::kMinPps)));
    };
    connect(zoom_, &QSlider::valueChanged, this, [this](int v) {
        const double pps = TimelineView::kMinPps * std::pow(TimelineView::kMaxPps / TimelineView::kMinPps, v / 1000.0);
        if (std::abs(pps - view_->pixelsPerSecond()) > 1e-6 * pps)
            view_->setPixelsPerSecond(pps, view_->xForFrame(view_->playhead()));
    });
    connect(fit, &QToolButton::clicked, view_, &TimelineView::zoomToFit);
    connect(view_, &TimelineView::viewChanged, this, [this, to_slider] {
        const QSignalBlocker block(zoom_);
        zoom_->setValue(to_slider(view_->pixelsPerSecond()));
        syncScrollBar();
    });
    connect(scroll_, &QScrollBar::valueChanged, this, [this](int v) { view_->setScrollPx(v); });
}

void TimelinePanel::syncScrollBar() {
    const QSignalBlocker block(scroll_);
    const int page = std::max(1, view_->width() - TimelineView::kHeaderWidth - 24);
    scroll_->setRange(0, std::max(0, int(view_->contentWidthPx()) - page));
    scroll_->setPageStep(page);
    scroll_->setSingleStep(40);
    scroll_->setValue(int(view_->scrollPx()));
}

}  // namespace redub::ui
