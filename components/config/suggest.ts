/** How far a misspelt key may be from a known one for the error message to suggest it. */
export const SUGGESTION_DISTANCE = 2;

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "permisioning" is 1 from
 * "permissioning", "cahin" 1 from "chain". Case counts, since config keys are case-sensitive.
 */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const columns = b.length + 1;
    const distance: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < columns; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            distance[i][j] = Math.min(distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance[i][j] = Math.min(distance[i][j], distance[i - 2][j - 2] + 1);
        }
    }
    return distance[a.length][b.length];
}

/** The known key closest to `key`, when one is within SUGGESTION_DISTANCE (the first of equals wins). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of known) {
        // A wrong case alone ("Chain") is always worth suggesting, whatever the length.
        const distance = candidate.toLowerCase() === key.toLowerCase() ? 1 : editDistance(key, candidate);
        if (distance <= SUGGESTION_DISTANCE && (!best || distance < best.distance)) best = { key: candidate, distance };
    }
    return best?.key;
}

/** "; did you mean chain?" or nothing. */
export function suggestion(key: string, known: readonly string[]): string {
    const closest = closestKey(key, known);
    return closest ? `; did you mean ${closest}?` : "";
}
