#include "ui/theme.hpp"
#include "ui/timeline.hpp"

#include <QFileInfo>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace redub::ui {

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

}  // namespace redub::ui
