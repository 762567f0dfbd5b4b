// The timeline (Shotcut/Kdenlive feel): a timecode ruler, a thumbnail strip with
// "no face" markers, the source audio waveform and the new speech waveform. The
// speech clip is dragged to set the audio offset; dragging over the video or the
// source lane selects a range to re-sync (Alt+drag removes), dragging a range's
// edge resizes it (snapped to frames; ranges that meet merge); the ruler seeks;
// Ctrl+wheel zooms around the mouse, wheel scrolls. All edits go through
// Document::request*() (undoable). Paints from cached peaks and thumbnails only.
#pragma once

#include "ui/document.hpp"

#include <QWidget>

#include <optional>

class QScrollBar;
class QSpinBox;
class QSlider;
class QLabel;

namespace redub::ui {

class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(Document* doc, QWidget* parent = nullptr);

    // Geometry (widget coordinates), public for tests and the panel.
    static constexpr int kHeaderWidth = 118;
    static constexpr int kRulerHeight = 28;
    enum Row { RulerRow, VideoRow, SourceRow, SpeechRow, SyncRow };
    QRect rowRect(Row row) const;
    double xForSeconds(double s) const;
    double secondsAtX(double x) const;
    double xForFrame(int64_t frame) const { return xForSeconds(doc_->frameToSeconds(frame)); }
    int64_t frameAtX(double x) const;
    // The frame boundary (0..frameCount) nearest to x: where a dragged range edge lands.
    int64_t boundaryAtX(double x) const;

    static constexpr double kMinPps = 2, kMaxPps = 2000;  // zoom limits, pixels per second
    double pixelsPerSecond() const { return pps_; }
    void setPixelsPerSecond(double pps, std::optional<double> anchor_x = {});
    void zoomToFit();
    double scrollPx() const { return scroll_px_; }
    void setScrollPx(double px);
    double contentWidthPx() const;  // timeline length in pixels at this zoom

    int64_t playhead() const { return playhead_; }
    void setPlayhead(int64_t frame);

    QSize sizeHint() const override { return {900, 254}; }
    QSize minimumSizeHint() const override { return {400, 222}; }

Q_SIGNALS:
    void seekRequested(qint64 frame);
    void viewChanged();  // zoom or scroll changed

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;
    void wheelEvent(QWheelEvent*) override;
    void leaveEvent(QEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void contextMenuEvent(QContextMenuEvent*) override;

private:
    double durationSeconds() const;
    int audioHeight() const;  // each audio lane's height at the widget's height
    double speechOffsetSeconds() const;
    void paintRuler(QPainter& p, const QRect& r);
    void paintThumbnails(QPainter& p, const QRect& r);
    void paintWaveform(QPainter& p, const QRect& r, const Peaks& peaks, double offset_s, const QColor& colour);
    void paintHeaders(QPainter& p);
    // The lip-sync meter lane: r per second (Document::syncMeter), coloured.
    void paintSync(QPainter& p, const QRect& r);
    // A selected range's start or end edge under `pos` (within a few pixels, video and
    // source lanes only).
    struct EdgeHit {
        size_t range = 0;
        bool end = false;
    };
    std::optional<EdgeHit> edgeAt(QPointF pos) const;
    // The ranges as painted: the document's, or the edge drag's preview.
    const std::vector<core::FrameRange>& shownRanges() const;

    Document* doc_;
    double pps_ = 100;  // pixels per second
    double scroll_px_ = 0;
    int64_t playhead_ = 0;
    bool fitted_ = false;

    enum class Drag { None, Seek, Offset, Select, Deselect, Edge };
    Drag drag_ = Drag::None;
    QPointF press_pos_;
    int64_t drag_offset_samples_ = 0;  // the offset being dragged (not yet in the document)
    int64_t select_from_ = 0, select_to_ = 0;
    EdgeHit edge_;                                // the edge being dragged
    std::optional<EdgeHit> hover_edge_;           // the edge under the mouse (highlighted)
    std::vector<core::FrameRange> edge_ranges_;  // the selection while an edge is dragged
};

// The timeline dock's content: a small tool row (zoom, offset with nudge,
// range buttons), the view, and a horizontal scroll bar.
class TimelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePanel(Document* doc, QWidget* parent = nullptr);
    TimelineView* view() const { return view_; }
    QSpinBox* offsetBox() const { return offset_ms_; }
    // "Align": proposes the offset that lines the new speech up with the video's own speech
    // (or, without one, its mouth) and applies it (undoable) when the user agrees; with
    // confirm = false it applies it without asking (tests). Returns the offset applied.
    std::optional<int64_t> alignSpeech(bool confirm = true);

private:
    void syncScrollBar();
    Document* doc_;
    TimelineView* view_;
    QScrollBar* scroll_;
    QSpinBox* offset_ms_;
    QSlider* zoom_;
    QLabel* ranges_label_;
};

// "00:01:02:13" (hours:minutes:seconds:frames) at the given integer fps.
QString timecode(int64_t frame, Rational fps);

}  // namespace redub::ui
