#include "ui/timeline.hpp"

#include "redub/units.hpp"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
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

}  // namespace redub::ui
