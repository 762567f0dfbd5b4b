#include "ui/timeline.hpp"

#include "redub/error.hpp"
#include "redub/units.hpp"
#include "ui/theme.hpp"

#include <QContextMenuEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace redub::ui {
namespace {

constexpr int kVideoHeight = 62;
constexpr int kAudioHeight = 58;      // at the preferred height; the audio lanes share what there is
constexpr int kMinAudioHeight = 34;
constexpr int kGap = 4;
constexpr int kSyncHeight = 18;
constexpr double kMinPps = 2, kMaxPps = 2000;

}  // namespace

QString timecode(int64_t frame, Rational fps) {
    const int64_t f = std::max<int64_t>(1, int64_t(std::llround(fps.toDouble())));
    const bool neg = frame < 0;
    frame = std::abs(frame);
    // Seconds from the exact rational rate; frames within the second from the rounded rate.
    const int64_t secs = fps.num > 0 ? frame * fps.den / fps.num : 0;
    const int64_t ff = frame - (fps.num > 0 ? (secs * fps.num + fps.den - 1) / fps.den : 0);
    return QStringLiteral("%1%2:%3:%4:%5")
        .arg(neg ? "-" : "")
        .arg(secs / 3600, 2, 10, QLatin1Char('0'))
        .arg(secs / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(secs % 60, 2, 10, QLatin1Char('0'))
        .arg(std::clamp<int64_t>(ff, 0, f - 1), 2, 10, QLatin1Char('0'));
}

TimelineView::TimelineView(Document* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    setObjectName(QStringLiteral("timelineView"));
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    auto repaint = [this] { update(); };
    connect(doc_, &Document::videoChanged, this, [this] {
        fitted_ = false;
        zoomToFit();
    });
    connect(doc_, &Document::speechChanged, this, [this] {
        if (!doc_->hasVideo()) zoomToFit();
        update();
    });
    connect(doc_, &Document::offsetChanged, this, repaint);
    connect(doc_, &Document::rangesChanged, this, [this] {
        if (drag_ == Drag::Edge) {  // undone or replaced under the drag: drop the drag
            drag_ = Drag::None;
            edge_ranges_.clear();
        }
        hover_edge_.reset();
        update();
    });
    connect(&doc_->media(), &MediaAnalysis::peaksReady, this, repaint);
    connect(&doc_->media(), &MediaAnalysis::thumbnailsReady, this, repaint);
    connect(doc_, &Document::faceScanReady, this, repaint);
    connect(doc_, &Document::syncMeterChanged, this, repaint);
    connect(doc_, &Document::projectReset, this, [this] { zoomToFit(); });
}

QRect TimelineView::rowRect(Row row) const {
    const int x = kHeaderWidth, w = width() - kHeaderWidth;
    int y = 0;
    switch (row) {
        case RulerRow:
            return {x, 0, w, kRulerHeight};
        case VideoRow:
            y = kRulerHeight + kGap;
            return {x, y, w, kVideoHeight};
        case SourceRow:
            y = kRulerHeight + kGap + kVideoHeight + kGap;
            return {x, y, w, audioHeight()};
        case SpeechRow:
            y = kRulerHeight + 3 * kGap + kVideoHeight + audioHeight();
            return {x, y, w, audioHeight()};
        case SyncRow:
            y = kRulerHeight + 4 * kGap + kVideoHeight + 2 * audioHeight();
            return {x, y, w, kSyncHeight};
    }
    return {};
}

int TimelineView::audioHeight() const {
    // The two audio lanes take the height left under the ruler and the video lane, so the
    // speech lane is never cut off by a short dock (2 px stay free at the bottom).
    const int left = height() - kRulerHeight - 4 * kGap - kVideoHeight - kSyncHeight - 2;
    return std::clamp(left / 2, kMinAudioHeight, kAudioHeight + 24);
}

double TimelineView::durationSeconds() const {
    double d = doc_->hasVideo() ? doc_->frameToSeconds(doc_->frameCount()) : 0.0;
    if (doc_->speechInfo() && doc_->speechInfo()->audio)
        d = std::max(d, doc_->speechInfo()->audio->duration_s + std::max(0.0, speechOffsetSeconds()));
    return std::max(d, 1.0);
}

double TimelineView::speechOffsetSeconds() const {
    const int64_t off = drag_ == Drag::Offset ? drag_offset_samples_ : doc_->project().offset_samples;
    return secondsFromSamples(off, core::kOffsetSampleRate);
}

double TimelineView::contentWidthPx() const { return durationSeconds() * pps_; }
double TimelineView::xForSeconds(double s) const { return kHeaderWidth + 8 + s * pps_ - scroll_px_; }
double TimelineView::secondsAtX(double x) const { return (x - kHeaderWidth - 8 + scroll_px_) / pps_; }

int64_t TimelineView::frameAtX(double x) const {
    const int64_t f = doc_->secondsToFrame(std::max(0.0, secondsAtX(x)));
    return doc_->hasVideo() ? std::clamp<int64_t>(f, 0, doc_->frameCount() - 1) : std::max<int64_t>(f, 0);
}

int64_t TimelineView::boundaryAtX(double x) const {
    const Rational r = doc_->frameRate();
    const int64_t f = int64_t(std::llround(secondsAtX(x) * double(r.num) / double(r.den)));
    return doc_->hasVideo() ? std::clamp<int64_t>(f, 0, doc_->frameCount()) : std::max<int64_t>(f, 0);
}

const std::vector<core::FrameRange>& TimelineView::shownRanges() const {
    return drag_ == Drag::Edge ? edge_ranges_ : doc_->project().ranges;
}

std::optional<TimelineView::EdgeHit> TimelineView::edgeAt(QPointF pos) const {
    if (!doc_->hasVideo()) return std::nullopt;
    const QPoint pt = pos.toPoint();
    if (!rowRect(VideoRow).contains(pt) && !rowRect(SourceRow).contains(pt)) return std::nullopt;
    constexpr double kGrab = 5;  // pixels either side of the edge
    std::optional<EdgeHit> best;
    double best_d = kGrab + 1;
    const auto& rs = doc_->project().ranges;
    for (size_t i = 0; i < rs.size(); ++i)
        for (bool end : {false, true}) {
            const double d = std::abs(pos.x() - xForFrame(end ? rs[i].end : rs[i].begin));
            if (d <= kGrab && d < best_d) best_d = d, best = EdgeHit{i, end};
        }
    return best;
}

void TimelineView::setPixelsPerSecond(double pps, std::optional<double> anchor_x) {
    pps = std::clamp(pps, kMinPps, kMaxPps);
    const double ax = anchor_x.value_or(kHeaderWidth + 8);
    const double t = secondsAtX(ax);
    pps_ = pps;
    setScrollPx(t * pps_ - (ax - kHeaderWidth - 8));
    fitted_ = true;
    Q_EMIT viewChanged();
    update();
}

void TimelineView::zoomToFit() {
    const double avail = std::max(100, width() - kHeaderWidth - 24);
    pps_ = std::clamp(avail / durationSeconds(), kMinPps, kMaxPps);
    scroll_px_ = 0;
    fitted_ = width() > kHeaderWidth + 100;
    Q_EMIT viewChanged();
    update();
}

void TimelineView::setScrollPx(double px) {
    const double max = std::max(0.0, contentWidthPx() - (width() - kHeaderWidth - 24));
    px = std::clamp(px, 0.0, max);
    if (px == scroll_px_) return;
    scroll_px_ = px;
    Q_EMIT viewChanged();
    update();
}

void TimelineView::setPlayhead(int64_t frame) {
    if (frame == playhead_) return;
    playhead_ = frame;
    // Keep the playhead visible while playing or stepping.
    const double x = xForFrame(frame);
    if (x < kHeaderWidth || x > width() - 16)
        setScrollPx(scroll_px_ + x - (kHeaderWidth + (width() - kHeaderWidth) / 4));
    update();
}

void TimelineView::resizeEvent(QResizeEvent*) {
    if (!fitted_) zoomToFit();
}

// ---- painting -------------------------------------------------------------------

void TimelineView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), theme::kBase);
    p.setRenderHint(QPainter::Antialiasing, false);

    // Lane backgrounds.
    for (Row r : {VideoRow, SourceRow, SpeechRow, SyncRow}) p.fillRect(rowRect(r), QColor(0x26, 0x28, 0x2c));
    // Ranges to re-sync tint the lane backgrounds (under the waveforms).
    for (const auto& r : shownRanges())
        for (Row row : {SourceRow, SpeechRow}) {
            const QRect lr = rowRect(row);
            const double x0 = std::max<double>(xForFrame(r.begin), lr.left()), x1 = xForFrame(r.end);
            if (x1 > x0) p.fillRect(QRectF(x0, lr.top(), x1 - x0, lr.height()), QColor(0x2a, 0x3d, 0x52));
        }

    paintThumbnails(p, rowRect(VideoRow));
    paintWaveform(p, rowRect(SourceRow), doc_->media().peaks(Lane::Source), 0.0, theme::kSource);
    if (doc_->hasVideo() && !doc_->videoInfo()->audio) {
        p.setPen(QColor(0x5a, 0x5e, 0x65));
        p.drawText(rowRect(SourceRow), Qt::AlignCenter, tr("The video has no audio track"));
    }

    // The speech clip: a rounded box at its offset, with its waveform inside.
    const QRect sr = rowRect(SpeechRow);
    if (doc_->speechInfo() && doc_->speechInfo()->audio) {
        const double off = speechOffsetSeconds();
        const double x0 = xForSeconds(off), x1 = xForSeconds(off + doc_->speechInfo()->audio->duration_s);
        QRectF clip(x0, sr.top() + 1, x1 - x0, sr.height() - 2);
        p.save();
        p.setClipRect(sr);
        p.setRenderHint(QPainter::Antialiasing, true);
        QColor fill = theme::kSpeech;
        fill.setAlpha(drag_ == Drag::Offset ? 70 : 45);
        p.setPen(QPen(theme::kSpeech.darker(drag_ == Drag::Offset ? 90 : 130), 1));
        p.setBrush(fill);
        p.drawRoundedRect(clip.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
        p.restore();
        paintWaveform(p, sr, doc_->media().peaks(Lane::Speech), off, theme::kSpeech);
        p.save();
        p.setClipRect(sr);
        p.setPen(QColor(0xf3, 0xd9, 0xb8));
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        p.setFont(f);
        const QString name = QFileInfo(QString::fromStdString(doc_->project().speech_path.string())).fileName();
        const double ms = off * 1000.0;
        p.drawText(QPointF(std::max<double>(x0, kHeaderWidth) + 6, sr.top() + 13),
                   QStringLiteral("%1   %2%3 ms").arg(name, ms >= 0 ? "+" : "").arg(ms, 0, 'f', 0));
        p.restore();
    } else {
        p.setPen(theme::kDimText);
        p.drawText(sr, Qt::AlignCenter, tr("Drop the new speech here (an audio file or a video)"));
    }
    if (!doc_->hasVideo()) {
        p.setPen(theme::kDimText);
        p.drawText(rowRect(VideoRow), Qt::AlignCenter, tr("Drop a video here, or use File \u25b8 Open"));
    }

    paintSync(p, rowRect(SyncRow));
    paintRuler(p, rowRect(RulerRow));

    // Ranges to re-sync: a tint over the lanes and a bar on the ruler.
    const QRect lanes = rowRect(VideoRow).united(rowRect(SpeechRow));
    p.save();
    p.setClipRect(QRect(kHeaderWidth, 0, width() - kHeaderWidth, height()));
    auto paintRange = [&](int64_t b, int64_t e, bool pending) {
        const double x0 = xForFrame(b), x1 = xForFrame(e);
        QColor c = theme::kRange;
        c.setAlpha(pending ? 45 : 30);
        p.fillRect(QRectF(x0, lanes.top(), x1 - x0, lanes.height()), c);
        p.fillRect(QRectF(x0, kRulerHeight - 4, x1 - x0, 4), theme::kAccent);
        p.setPen(QPen(theme::kAccent, 1));
        p.drawLine(QPointF(x0, lanes.top()), QPointF(x0, lanes.bottom()));
        p.drawLine(QPointF(x1, lanes.top()), QPointF(x1, lanes.bottom()));
    };
    for (const auto& r : shownRanges()) paintRange(r.begin, r.end, false);
    // The edge under the mouse (or being dragged) is drawn thicker: it can be dragged.
    const std::optional<EdgeHit> hot = drag_ == Drag::Edge ? std::optional<EdgeHit>() : hover_edge_;
    if (drag_ == Drag::None && hot && hot->range < shownRanges().size()) {
        const auto& r = shownRanges()[hot->range];
        const double x = xForFrame(hot->end ? r.end : r.begin);
        p.fillRect(QRectF(x - 1.5, lanes.top(), 3, lanes.height()), theme::kAccent);
    } else if (drag_ == Drag::Edge) {
        const int64_t f = edge_.end ? select_to_ : select_from_;
        const double x = xForFrame(f);
        p.fillRect(QRectF(x - 1.5, lanes.top(), 3, lanes.height()), theme::kAccent.lighter(130));
    }
    if (drag_ == Drag::Select || drag_ == Drag::Deselect) {
        const int64_t b = std::min(select_from_, select_to_), e = std::max(select_from_, select_to_) + 1;
        if (drag_ == Drag::Select)
            paintRange(b, e, true);
        else
            p.fillRect(QRectF(xForFrame(b), lanes.top(), xForFrame(e) - xForFrame(b), lanes.height()),
                       QColor(0, 0, 0, 110));
    }
    p.restore();

    paintHeaders(p);

    // Playhead.
    if (doc_->hasVideo()) {
        const double x = xForFrame(playhead_);
        if (x >= kHeaderWidth) {
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(theme::kPlayhead, 1.5));
            p.drawLine(QPointF(x, kRulerHeight - 8), QPointF(x, height()));
            QPainterPath head;
            head.moveTo(x - 6, 2);
            head.lineTo(x + 6, 2);
            head.lineTo(x + 6, kRulerHeight - 12);
            head.lineTo(x, kRulerHeight - 5);
            head.lineTo(x - 6, kRulerHeight - 12);
            head.closeSubpath();
            p.fillPath(head, theme::kPlayhead);
        }
    }
}

void TimelineView::paintHeaders(QPainter& p) {
    p.fillRect(QRect(0, 0, kHeaderWidth, height()), theme::kPanel);
    p.setPen(QColor(0x1a, 0x1b, 0x1e));
    p.drawLine(kHeaderWidth - 1, 0, kHeaderWidth - 1, height());
    struct H {
        Row row;
        QString title;
        QColor colour;
    };
    const H heads[] = {{VideoRow, tr("Video"), QColor(0x8a, 0x9b, 0xb0)},
                       {SourceRow, tr("Source audio"), theme::kSource},
                       {SpeechRow, tr("New speech"), theme::kSpeech},
                       {SyncRow, tr("Lip sync"), theme::kSyncGood}};
    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    for (const H& h : heads) {
        const QRect r = rowRect(h.row);
        const QRect hr(0, r.top(), kHeaderWidth - 1, r.height());
        p.fillRect(hr.adjusted(0, 0, 0, 0), QColor(0x2b, 0x2d, 0x31));
        p.fillRect(QRect(0, r.top(), 3, r.height()), h.colour);
        p.setPen(theme::kText);
        if (h.row == SyncRow) {  // one line: the title and the clip's score
            p.setFont(small);
            const auto& m = doc_->syncMeter().overall;
            const QString score = m.frames > 0 ? QStringLiteral("  r %1").arg(m.r, 0, 'f', 2) : QString();
            p.drawText(hr.adjusted(10, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter, h.title + score);
            continue;
        }
        p.setFont(bold);
        p.drawText(hr.adjusted(10, 6, -4, 0), Qt::AlignLeft | Qt::AlignTop, h.title);
        p.setFont(small);
        p.setPen(theme::kDimText);
        QString sub;
        if (h.row == VideoRow && doc_->hasVideo())
            sub = QStringLiteral("%1\u00d7%2  %3 fps")
                      .arg(doc_->videoInfo()->video->width)
                      .arg(doc_->videoInfo()->video->height)
                      .arg(doc_->frameRate().toDouble(), 0, 'g', 4);
        else if (h.row == SourceRow)
            sub = doc_->hasVideo() ? (doc_->videoInfo()->audio ? tr("from the video") : tr("(no audio track)"))
                                   : QString();
        else if (h.row == SpeechRow && doc_->speechInfo())
            sub = tr("drag to align");
        p.drawText(hr.adjusted(10, 24, -4, 0), Qt::AlignLeft | Qt::AlignTop, sub);
    }
    p.setFont(font());
    // Corner above the headers: the playhead's timecode.
    p.setPen(theme::kText);
    QFont mono(QStringLiteral("monospace"));
    mono.setPointSizeF(font().pointSizeF() * 0.95);
    p.setFont(mono);
    p.drawText(QRect(0, 0, kHeaderWidth, kRulerHeight), Qt::AlignCenter, timecode(playhead_, doc_->frameRate()));
    p.setFont(font());
}

void TimelineView::paintSync(QPainter& p, const QRect& r) {
    const auto& m = doc_->syncMeter();
    if (m.overall.frames == 0) {
        p.setPen(QColor(0x5a, 0x5e, 0x65));
        QFont small = font();
        small.setPointSizeF(font().pointSizeF() * 0.8);
        p.setFont(small);
        p.drawText(r, Qt::AlignCenter, doc_->hasVideo() && doc_->speechInfo() ? tr("measuring lip sync\u2026")
                                                                              : tr("lip sync: needs a video and new speech"));
        p.setFont(font());
        return;
    }
    p.save();
    p.setClipRect(r);
    for (size_t s = 0; s < m.per_second.size(); ++s) {
        const double x0 = xForSeconds(double(s)), x1 = xForSeconds(double(s + 1));
        if (x1 < r.left() || x0 > r.right()) continue;
        const double v = m.per_second[s];
        p.fillRect(QRectF(x0, r.top() + 2, std::max(1.0, x1 - x0 - 1), r.height() - 4), theme::syncColour(v));
    }
    p.restore();
}

void TimelineView::paintRuler(QPainter& p, const QRect& r) {
    p.fillRect(r, theme::kPanel);
    p.setPen(QColor(0x1a, 0x1b, 0x1e));
    p.drawLine(r.bottomLeft(), r.bottomRight());
    const Rational fps = doc_->frameRate();
    const double fps_d = fps.toDouble();
    // Label spacing: the smallest "nice" step at least ~90 px apart. Steps below a
    // second are whole frames that divide the second, so labels fall on round timecodes.
    const int64_t ifps = std::max<int64_t>(1, std::llround(fps_d));
    std::vector<double> steps_s;
    for (int64_t f : {1, 2, 5, 10, 15})
        if (ifps % f == 0 && f < ifps) steps_s.push_back(double(f) / fps_d);
    if (ifps % 2 == 0) steps_s.push_back(0.5 * ifps / fps_d);
    for (double s : {1., 2., 5., 10., 15., 30., 60., 120., 300., 600., 1800., 3600.})
        steps_s.push_back(s * ifps / fps_d);
    double major = steps_s.back();
    for (double s : steps_s)
        if (s * pps_ >= 90) {
            major = s;
            break;
        }
    const double minor = major / 5;
    const double t0 = std::max(0.0, secondsAtX(r.left())), t1 = secondsAtX(r.right());
    p.save();
    p.setClipRect(r);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.8);
    p.setFont(f);
    for (int64_t i = int64_t(std::floor(t0 / minor)); i * minor <= t1; ++i) {
        const double t = i * minor;
        const double x = std::round(xForSeconds(t)) + 0.5;
        const bool is_major = std::abs(std::remainder(t, major)) < minor * 0.01;
        p.setPen(is_major ? QColor(0x9a, 0x9e, 0xa6) : QColor(0x55, 0x59, 0x60));
        p.drawLine(QPointF(x, r.bottom() - (is_major ? 10 : 5)), QPointF(x, r.bottom()));
        if (is_major) {
            p.setPen(QColor(0xb8, 0xbc, 0xc3));
            p.drawText(QPointF(x + 4, r.top() + 12), timecode(int64_t(std::llround(t * fps_d)), fps));
        }
    }
    p.restore();
}

void TimelineView::paintThumbnails(QPainter& p, const QRect& r) {
    if (!doc_->hasVideo()) return;
    const auto& thumbs = doc_->media().thumbnails();
    const double x_end = xForFrame(doc_->frameCount());
    p.save();
    p.setClipRect(QRectF(r).intersected(QRectF(xForSeconds(0), r.top(), x_end - xForSeconds(0), r.height())));
    p.fillRect(r, QColor(0x30, 0x33, 0x38));
    const int th = r.height() - 10;
    int tw = th * 4 / 3;
    if (!thumbs.isEmpty()) tw = std::max(8, thumbs.first().width() * th / std::max(1, thumbs.first().height()));
    // Slots aligned to the timeline origin so thumbnails do not swim while scrolling.
    const double origin = xForSeconds(0);
    const int64_t first = std::max<int64_t>(0, int64_t(std::floor((r.left() - origin) / tw)));
    for (int64_t i = first;; ++i) {
        const double x = origin + double(i) * tw;
        if (x > r.right() || x > x_end) break;
        const int64_t frame = frameAtX(x + 1);
        if (!thumbs.isEmpty()) {
            auto it = thumbs.upperBound(frame);
            if (it != thumbs.cbegin()) --it;
            p.drawImage(QRectF(x, r.top() + 2, tw, th), it.value());
        }
        p.setPen(QColor(0x1a, 0x1b, 0x1e));
        p.drawLine(QPointF(x, r.top() + 2), QPointF(x, r.top() + 2 + th));
    }
    // "No face" markers under the strip.
    const QRect marks(r.left(), r.bottom() - 6, r.width(), 6);
    p.fillRect(marks, QColor(0x1f, 0x21, 0x24));
    const FaceScan& scan = doc_->media().faceScan();
    if (scan.frames_scanned > 0) {
        p.fillRect(QRectF(xForSeconds(0), marks.top() + 2, x_end - xForSeconds(0), 2), QColor(0x3e, 0x7d, 0x5a));
        for (qint64 f : scan.noFaceFrames()) {
            const double x0 = xForFrame(f), x1 = std::max(x0 + 2, xForFrame(f + scan.frame_step));
            p.fillRect(QRectF(x0, marks.top(), x1 - x0, marks.height()), theme::kNoFace);
        }
    }
    p.restore();
}

void TimelineView::paintWaveform(QPainter& p, const QRect& r, const Peaks& peaks, double offset_s,
                                 const QColor& colour) {
    const int mid = r.center().y();
    p.setPen(QColor(0x3a, 0x3d, 0x43));
    p.drawLine(r.left(), mid, r.right(), mid);
    if (peaks.empty()) return;
    p.save();
    p.setClipRect(r);
    p.setPen(colour);
    const double half = r.height() / 2.0 - 4;
    const double sr = peaks.sample_rate;
    const int xa = std::max<int>(r.left(), int(std::floor(xForSeconds(offset_s))));
    const int xb = std::min<int>(r.right(), int(std::ceil(xForSeconds(offset_s + peaks.durationSeconds()))));
    for (int x = xa; x <= xb; ++x) {
        const double ta = secondsAtX(x) - offset_s, tb = secondsAtX(x + 1) - offset_s;
        const auto [lo, hi] = peaks.range(int64_t(ta * sr), int64_t(std::ceil(tb * sr)));
        if (lo == 0.f && hi == 0.f) continue;
        // sqrt-compressed amplitude reads better for speech (quiet consonants stay visible).
        auto y = [&](float v) { return mid - std::copysign(std::sqrt(std::abs(v)), v) * half; };
        p.drawLine(QPointF(x + 0.5, y(hi)), QPointF(x + 0.5, y(lo)));
    }
    p.restore();
}

// ---- interaction ------------------------------------------------------------------

void TimelineView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || e->position().x() < kHeaderWidth) return QWidget::mousePressEvent(e);
    press_pos_ = e->position();
    const QPoint pt = e->position().toPoint();
    if (const auto edge = edgeAt(e->position()); edge && !(e->modifiers() & Qt::AltModifier)) {
        drag_ = Drag::Edge;
        edge_ = *edge;
        edge_ranges_ = doc_->project().ranges;
        const auto& r = edge_ranges_[edge->range];
        select_from_ = r.begin;
        select_to_ = r.end;
        setCursor(Qt::SizeHorCursor);
    } else if (rowRect(SpeechRow).contains(pt) && doc_->speechInfo()) {
        drag_ = Drag::Offset;
        drag_offset_samples_ = doc_->project().offset_samples;
    } else if ((rowRect(VideoRow).contains(pt) || rowRect(SourceRow).contains(pt)) && doc_->hasVideo()) {
        drag_ = (e->modifiers() & Qt::AltModifier) ? Drag::Deselect : Drag::Select;
        select_from_ = select_to_ = frameAtX(e->position().x());
    } else {
        drag_ = Drag::Seek;
        Q_EMIT seekRequested(frameAtX(e->position().x()));
    }
    update();
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
    const QPoint pt = e->position().toPoint();
    switch (drag_) {
        case Drag::None: {
            const auto edge = edgeAt(e->position());
            const bool hover_changed = edge.has_value() != hover_edge_.has_value() ||
                                       (edge && (edge->range != hover_edge_->range || edge->end != hover_edge_->end));
            hover_edge_ = edge;
            if (hover_changed) update();
            setCursor(edge                                                  ? Qt::SizeHorCursor
                      : rowRect(SpeechRow).contains(pt) && doc_->speechInfo() ? Qt::OpenHandCursor
                      : rowRect(RulerRow).contains(pt)                      ? Qt::PointingHandCursor
                                                                            : Qt::ArrowCursor);
            return;
        }
        case Drag::Edge: {
            // The dragged edge snaps to frame boundaries and keeps at least one frame in
            // its range; ranges it runs into merge with it.
            if (edge_.range >= doc_->project().ranges.size()) return;  // the ranges changed under the drag
            const auto& orig = doc_->project().ranges[edge_.range];
            const int64_t f = boundaryAtX(e->position().x());
            if (edge_.end) {
                select_from_ = orig.begin;
                select_to_ = std::max(orig.begin + 1, f);
            } else {
                select_from_ = std::min(orig.end - 1, f);
                select_to_ = orig.end;
            }
            auto next = doc_->project().ranges;
            next[edge_.range] = {select_from_, select_to_};
            edge_ranges_ = core::normaliseRanges(std::move(next));
            update();
            return;
        }
        case Drag::Seek:
            Q_EMIT seekRequested(frameAtX(e->position().x()));
            return;
        case Drag::Offset: {
            setCursor(Qt::ClosedHandCursor);
            const double ds = (e->position().x() - press_pos_.x()) / pps_;
            drag_offset_samples_ = doc_->project().offset_samples + samplesFromSeconds(ds, core::kOffsetSampleRate);
            // Shift snaps to whole frames.
            if (e->modifiers() & Qt::ShiftModifier) {
                const double frame_samples = core::kOffsetSampleRate / doc_->frameRate().toDouble();
                drag_offset_samples_ =
                    int64_t(std::llround(std::round(drag_offset_samples_ / frame_samples) * frame_samples));
            }
            update();
            return;
        }
        case Drag::Select:
        case Drag::Deselect:
            select_to_ = frameAtX(e->position().x());
            update();
            return;
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e) {
    const Drag d = drag_;
    drag_ = Drag::None;
    setCursor(Qt::ArrowCursor);
    const bool moved = (e->position() - press_pos_).manhattanLength() >= 3;
    switch (d) {
        case Drag::Edge: {
            if (edge_.range >= doc_->project().ranges.size()) break;  // the ranges changed under the drag
            const auto& orig = doc_->project().ranges[edge_.range];
            const bool grew = select_from_ < orig.begin || select_to_ > orig.end;
            if (moved)
                doc_->requestSetRanges(edge_ranges_, grew ? tr("Extend range") : tr("Shorten range"));
            edge_ranges_.clear();
            hover_edge_ = edgeAt(e->position());
            if (hover_edge_) setCursor(Qt::SizeHorCursor);
            break;
        }
        case Drag::Offset:
            if (moved) doc_->requestOffset(drag_offset_samples_);
            break;
        case Drag::Select:
        case Drag::Deselect: {
            if (!moved) {
                Q_EMIT seekRequested(select_from_);
                break;
            }
            const core::FrameRange r{std::min(select_from_, select_to_), std::max(select_from_, select_to_) + 1};
            if (d == Drag::Select)
                doc_->requestAddRange(r);
            else
                doc_->requestRemoveRange(r);
            break;
        }
        default:
            break;
    }
    update();
}

void TimelineView::leaveEvent(QEvent*) {
    if (hover_edge_) {
        hover_edge_.reset();
        update();
    }
}

void TimelineView::wheelEvent(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (e->modifiers() & Qt::ControlModifier) {
        setPixelsPerSecond(pps_ * std::pow(1.25, steps), e->position().x());
    } else {
        const double dx = e->angleDelta().x() != 0 ? -e->angleDelta().x() / 120.0 : -steps;
        setScrollPx(scroll_px_ + dx * 60);
    }
    e->accept();
}

void TimelineView::contextMenuEvent(QContextMenuEvent* e) {
    QMenu menu(this);
    const int64_t f = frameAtX(e->pos().x());
    core::FrameRange hit{-1, -1};
    for (const auto& r : doc_->project().ranges)
        if (r.contains(f)) hit = r;
    QAction* remove = menu.addAction(tr("Remove this range"));
    remove->setEnabled(hit.begin >= 0);
    QAction* clear = menu.addAction(tr("Clear all ranges (re-sync everything)"));
    clear->setEnabled(!doc_->project().ranges.empty());
    menu.addSeparator();
    QAction* fit = menu.addAction(tr("Zoom to fit"));
    QAction* chosen = menu.exec(e->globalPos());
    if (chosen == remove) doc_->requestRemoveRange(hit);
    if (chosen == clear) doc_->requestClearRanges();
    if (chosen == fit) zoomToFit();
}

// ---- panel ----------------------------------------------------------------------------

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
    row->addWidget(nudge(QStringLiteral("\u2039"), -core::kOffsetSampleRate / 100, tr("Earlier by 10 ms")));
    row->addWidget(offset_ms_);
    row->addWidget(nudge(QStringLiteral("\u203a"), core::kOffsetSampleRate / 100, tr("Later by 10 ms")));
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
        return int(std::lround(1000 * std::log(pps / kMinPps) / std::log(kMaxPps / kMinPps)));
    };
    connect(zoom_, &QSlider::valueChanged, this, [this](int v) {
        const double pps = kMinPps * std::pow(kMaxPps / kMinPps, v / 1000.0);
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
